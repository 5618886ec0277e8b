# Tern's entry points. Each calls scripts/bootstrap first, so a bare Debian 12 with `make`
# installs what it lacks. CMake presets (CMakePresets.json) hold the build configurations.

JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
SOURCES = $(shell find src tests bench apps tools examples include -name '*.cpp' -o -name '*.h' 2>/dev/null)

.PHONY: all bootstrap build build-clang test unit run asan fuzz bench microbench format lint clean

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

# Every compiler we support must build with -Werror.
build-clang: bootstrap
	@cmake --preset clang >/dev/null
	@cmake --build --preset clang -j $(JOBS)

# make test: formatting check, release build, every test suite.
test: lint build
	@ctest --preset release -j $(JOBS)

# One test by name: make unit T='Framer.*'
unit: build
	@ctest --preset release -R '$(T)'

# The broker in the foreground with its embedded defaults (localhost:1883); ARGS='-c FILE -v'.
run: build
	@exec build/bin/tern $(ARGS)

asan: bootstrap
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan -j $(JOBS)

# Each fuzz target for FUZZ_SECONDS, starting from its checked-in seed corpus; any crash fails.
fuzz: bootstrap
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS) --target fuzzers
	@scripts/run-fuzzers build-fuzz/bin $(FUZZ_SECONDS)

# Tern against Mosquitto with tern_bench, about 10 minutes (ARGS=--quick: 1 minute);
# writes bench/results/compare.{md,json,png}.
bench: build
	@bench/compare $(ARGS)

# The Google Benchmarks of the layers (codec, topic tree, retained store).
microbench: build
	@for b in build/bin/tern_*_bench; do echo "== $$b"; $$b || exit 1; done

format: bootstrap
	@clang-format -i $(SOURCES)

lint: bootstrap
	@clang-format --dry-run --Werror $(SOURCES)

clean:
	rm -rf build build-debug build-clang build-asan build-fuzz
