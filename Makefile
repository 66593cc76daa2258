# Short commands for people. CMake does the building; each part owns its own script.
#   make            build everything into build/ (installs missing Debian packages first)
#   make run        build, then run the check runner on the bundled example (the main job)
#   make test       build, then the whole Go suite once per built backend (the version matrix)
#   make bench      the benchmark table
#   make test-asan  the Go suite against an ASan+UBSan build
#   make test-tsan  the ThreadSanitizer driver (test/tsan) against a TSan build, every backend
#   make valgrind   the valgrind driver
#   make fuzz       every libFuzzer target (FUZZ_SECONDS each)
#   make format     clang-format every tracked C file in place (.clang-format)
#   make format-check  fail if any tracked C file is not formatted (CI runs it), plus gofmt
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps build run test bench test-asan test-tsan valgrind fuzz format format-check clean
all: build

deps:
	./scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./runner/run-example.sh $(BUILD)

test: build
	$(MAKE) -C test BUILD=$(abspath $(BUILD))

bench: build
	./bench/run.sh $(BUILD)

test-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DRTLOADER_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)
	$(MAKE) -C test asan BUILD=$(abspath build-asan)

# TSAN_BACKENDS=default (or 3.12, ...: a name of build-tsan/backends.txt) runs one backend only.
test-tsan: deps
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTLOADER_TSAN=ON >/dev/null
	cmake --build build-tsan -j $(JOBS)
	./test/tsan/run.sh build-tsan

valgrind: build
	./test/valgrind/run.sh $(BUILD)

fuzz: deps
	./fuzz/run.sh

C_SOURCES = $(shell git ls-files '*.c' '*.h')
format: deps
	clang-format -i $(C_SOURCES)
	gofmt -w test go examples/go-host

format-check: deps
	clang-format --dry-run --Werror $(C_SOURCES)
	@out=$$(gofmt -l test go examples/go-host); if [ -n "$$out" ]; then echo "gofmt: not formatted: $$out"; exit 1; fi

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
