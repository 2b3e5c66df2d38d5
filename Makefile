# journeylib: the two commands a new user needs are `make run` and `make test`.
# Assumes only python3 (3.11) and make; everything else goes into .venv.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# Offline mirror of the public datasets: ../shared/data when it exists and the caller set none.
ifeq ($(origin JOURNEYLIB_DATA_MIRROR), undefined)
ifneq ($(wildcard ../shared/data),)
export JOURNEYLIB_DATA_MIRROR := $(abspath ../shared/data)
endif
endif

NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: help install run test lab bench report clean

help:
	@echo "make run    install, execute every notebook, write build/report/index.html"
	@echo "make test   install, run the unit tests, doctests and nbval over every notebook"
	@echo "make lab    JupyterLab on the notebooks [LAB_IP=0.0.0.0 LAB_PORT=8888 NOTEBOOK=06-student-lab.ipynb]"
	@echo "make bench  the benchmarks (prints figures)"
	@echo "make report DATA=file.csv [FORMAT=wide TOUCHPOINTS=a,b RATING=col ...]  the suite on your data"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (journeylib)" >/dev/null
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m journeylib.report --notebooks notebooks --out build

test: $(STAMP)
	$(PY) -m pytest tests journeylib notebooks --doctest-modules $(NBVAL_FLAGS)

# make lab: JupyterLab on notebooks/ with the journeylib kernel, the kernelspec "python3" installed above
# into .venv (display name "Python 3 (journeylib)"), which every notebook names; JUPYTER_PREFER_ENV_PATH
# makes it win over a python3 kernel in the user's own Jupyter folders. LAB_IP=0.0.0.0 listens on every
# interface, LAB_PORT sets the port, NOTEBOOK=06-student-lab.ipynb opens one notebook, LAB_ARGS adds
# options. Without a display (a remote machine) no browser is started: open the printed URL.
LAB_IP   ?= 127.0.0.1
LAB_PORT ?= 8888
NOTEBOOK ?=
LAB_ARGS ?=
LAB_FLAGS := --ServerApp.root_dir=notebooks --ip=$(LAB_IP) --port=$(LAB_PORT) \
	--MappingKernelManager.default_kernel_name=python3 \
	$(if $(NOTEBOOK),--LabApp.default_url=/lab/tree/$(NOTEBOOK)) \
	$(if $(filter 0,$(shell id -u)),--allow-root) \
	$(if $(filter Linux,$(shell uname -s)),$(if $(DISPLAY)$(WAYLAND_DISPLAY),,--no-browser))

lab: $(STAMP)
	JUPYTER_PREFER_ENV_PATH=1 $(VENV)/bin/jupyter lab $(LAB_FLAGS) $(LAB_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/bench_validate.py --rows 10000000
	$(PY) benchmarks/bench_metrics.py --rows 10000000
	$(PY) benchmarks/bench_scale.py --rows 10000000

report: $(STAMP)
	@test -n "$(DATA)" || { echo "usage: make report DATA=path/to/file.csv [FORMAT=wide TOUCHPOINTS=a,b,c RATING=overall SCORE_SCALE=likert5 RATING_SCALE=stars10 MISSING=0 RECOMMEND=col]"; exit 2; }
	$(PY) -m journeylib report "$(DATA)" \
		$(if $(FORMAT),--format "$(FORMAT)") \
		$(if $(TOUCHPOINTS),--touchpoints "$(TOUCHPOINTS)") \
		$(if $(RATING),--rating "$(RATING)") \
		$(if $(SCORE_SCALE),--score-scale "$(SCORE_SCALE)") \
		$(if $(RATING_SCALE),--rating-scale "$(RATING_SCALE)") \
		$(if $(MISSING),--missing "$(MISSING)") \
		$(if $(RECOMMEND),--recommend "$(RECOMMEND)") \
		$(if $(ID),--id "$(ID)") \
		$(if $(WITH_CODE),--with-code) \
		$(OPTIONS)

clean:
	rm -rf build .pytest_cache
