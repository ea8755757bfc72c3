# Quick start: `make demo` trains LeNet-5 on Fashion-MNIST; `make test` runs the suite.
PY := .venv/bin/python
FMNIST := /usr/share/datasets/fashion-mnist

.PHONY: venv torch data test demo lint bench clean

venv: .venv/.installed

.venv/.installed: pyproject.toml
	python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# The differential tests compare against the real PyTorch (CPU build) and torchsummary; the
# demo does not need them.
torch: .venv/.torch

.venv/.torch: .venv/.installed
	$(PY) -m pip install -q torch==2.13.0 || echo "torch not installed: differential tests will skip"
	$(PY) -m pip install -q torchsummary || echo "torchsummary not installed: the summary comparison tests will skip"
	touch $@

data:
	@if [ ! -f $(FMNIST)/train-images-idx3-ubyte.gz ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get install -y -q dataset-fashion-mnist || (apt-get update -q && apt-get install -y -q dataset-fashion-mnist)) >/dev/null; \
	  else \
	    echo "Fashion-MNIST is missing: run 'sudo apt-get install dataset-fashion-mnist'"; \
	  fi; \
	fi

test: venv torch data
	@# Two test workers already fill both cores: one BLAS thread each avoids oversubscription.
	MPLBACKEND=Agg OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m pytest -n 2 tests

demo: venv data
	$(PY) -m ember train --model lenet5 --epochs 3 --out runs/demo

lint: venv
	$(PY) -m ruff check ember tests bench
	$(PY) -m ruff format --check ember tests bench

bench: venv torch
	$(PY) -m ember bench

clean:
	rm -rf .venv runs
