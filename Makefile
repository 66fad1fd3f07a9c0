# Ascent build entry points. GOEXPERIMENT=simd gives GoMLX's pure-Go backend its SIMD kernels
# (about 3.5x faster); every target sets it.
export GOEXPERIMENT := simd
GO ?= go
BIN := bin/ascent

.PHONY: run build deps test test-short fuzz vet bench clean

## run: the main job: the default training recipe (`ascent train` with no arguments, about 6.5 minutes on 2 cores)
run:
	$(GO) run ./cmd/ascent train

## build: the ascent binary in bin/
build:
	$(GO) build -o $(BIN) ./cmd/ascent

## deps: the Debian packages the tests need (scripts/system-packages.txt); installs what is missing
## as root, otherwise prints the one command to run
deps:
	@bash scripts/system-deps.sh

## test: the whole suite, as CI runs it; installs its system packages first (deps)
test: deps
	$(GO) vet ./...
	$(GO) test -timeout 20m ./...

## fuzz: a short fuzzing pass over every parser with a Fuzz target (FUZZTIME=30s to lengthen; scripts/fuzz.sh)
FUZZTIME ?= 10s
fuzz:
	@GO=$(GO) bash scripts/fuzz.sh $(FUZZTIME)

## bench: the Go micro-benchmarks (long benchmark commands live under bench/)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
