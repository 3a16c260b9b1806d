# holt — build, test, install. `make help` lists the targets.

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share
CC        ?= cc
CFLAGS    ?= -O2 -g
SANITIZE  ?=
BUILD     ?= build
VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

PKGS      := json-c libarchive libcrypto libseccomp
# DEVELOPER=1 (on in CI and for make check) makes warnings errors; a release build by a
# user with a newer compiler is not stopped by a warning it adds.
ifneq ($(CI)$(filter check unit asan check-clang fuzz,$(MAKECMDGOALS)),)
DEVELOPER ?= 1
endif
WARNINGS  := -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter -Wmissing-prototypes \
		-Wstrict-prototypes -Wpointer-arith
ifeq ($(DEVELOPER),1)
WARNINGS  += -Werror
endif
# CI calls make check without -j: its three builds (gcc, ASan, fuzz) use every core.
ifneq ($(filter check,$(MAKECMDGOALS)),)
MAKEFLAGS += -j$(shell nproc)
endif
HOLT_CFLAGS  := -std=gnu11 $(WARNINGS) -I. $(shell pkg-config --cflags $(PKGS)) \
		-ffunction-sections -fdata-sections \
		-D_GNU_SOURCE -DHOLT_VERSION='"$(VERSION)"'
HOLT_LDFLAGS := -Wl,--as-needed -Wl,-O1 -Wl,--gc-sections
# Linked statically: loading these shared objects (libarchive drags in ICU through
# libxml2) cost ~2 ms of every `holt run`. libsubid (PAM, SELinux, audit) is dlopen()ed
# by core/subid.c, only when a new user namespace is mapped, and libcrypto by
# core/base/crypto_api.c, only when holt hashes (its tables cost `run` ~2 ms linked in).
STATIC_LIBS  := -ljson-c -larchive -lnettle -lacl -llzma -lzstd -llz4 -lbz2 -lz -lseccomp
HOLT_LIBS    := -Wl,-Bstatic $(STATIC_LIBS) -Wl,-Bdynamic -ldl -lm

ifneq ($(SANITIZE),)
HOLT_CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
HOLT_LDFLAGS += -fsanitize=$(SANITIZE)
endif
# FUZZ=1: the library instrumented for libFuzzer's coverage (clang), every sanitizer
# report fatal, so that the fuzzer stops at it and keeps the input.
ifeq ($(FUZZ),1)
HOLT_CFLAGS  += -fsanitize=fuzzer-no-link -fno-sanitize-recover=all
endif

LIB_SRC   := $(sort $(wildcard core/base/*.c core/*.c storage/*.c net/*.c))
CMD_SRC   := $(sort $(wildcard cmd/*.c))
# cmd/'s presentation code (templates, tables), which the unit tests also link
PRESENT_SRC := cmd/template.c cmd/template_func.c cmd/tabwriter.c cmd/safe_text.c
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
# The seccomp profiles, JSON files, are embedded in the binary (a holt run from the build
# tree needs nothing installed) together with their digests, the keys of the cache.
GEN_OBJ   := $(patsubst core/seccomp-%.json,$(BUILD)/gen/seccomp_%.o,$(wildcard core/seccomp-*.json))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o) $(GEN_OBJ)
CMD_OBJ   := $(CMD_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIBHOLT   := $(BUILD)/libholt.a
LIBPRESENT := $(BUILD)/libholt-present.a
HELPER    := $(BUILD)/tests/holt-test-tool

.PHONY: all check check-build unit asan fuzz fuzz-long demo deps install format check-format check-layers check-clang lint clean help

all: holt completions

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HOLT_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/gen/seccomp_%.c: core/seccomp-%.json
	@mkdir -p $(dir $@)
	{ echo '/* Generated from $< by make: do not edit. */'; \
	  echo '#include "core/seccomp.h"'; \
	  echo 'const char seccomp_$(subst -,_,$*)_profile[] = {'; \
	  od -An -v -tx1 $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0};'; \
	  echo "const char seccomp_$(subst -,_,$*)_profile_sha256[] = \"$$(sha256sum $< | cut -c1-64)\";"; \
	} > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(HOLT_CFLAGS) $(CFLAGS) -c $< -o $@

.SECONDARY: $(GEN_OBJ:.o=.c)

$(LIBHOLT): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(LIBPRESENT): $(PRESENT_SRC:%.c=$(BUILD)/%.o)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/holt: $(CMD_OBJ) $(LIBHOLT)
	$(CC) $(CFLAGS) $(HOLT_LDFLAGS) -o $@ $(CMD_OBJ) $(LIBHOLT) $(HOLT_LIBS)

# Replaced by rename: a running holt (a pause process) keeps the old file busy.
holt: $(BUILD)/holt
	cp $< $@.tmp && mv -f $@.tmp $@

completions: completions/holt.bash completions/_holt completions/holt.fish

completions/holt.bash: holt
	@mkdir -p completions
	./holt completion bash > $@
completions/_holt: holt
	@mkdir -p completions
	./holt completion zsh > $@
completions/holt.fish: holt
	@mkdir -p completions
	./holt completion fish > $@

$(BUILD)/tests/%: tests/unit/%.c $(LIBPRESENT) $(LIBHOLT) tests/unit/tap.h tests/unit/helpers.h
	@mkdir -p $(dir $@)
	$(CC) $(HOLT_CFLAGS) $(CFLAGS) $(HOLT_LDFLAGS) -o $@ $< $(LIBPRESENT) $(LIBHOLT) $(HOLT_LIBS)

# A static helper run inside test containers, which have no libc of their own.
$(HELPER): tests/helper/holt-test-tool.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE $(WARNINGS) -O2 -static -o $@ $<

unit: $(UNIT_BIN)

# The sanitizer build, for the unit tests and a core subset of the end-to-end tests.
ASAN_BUILD := build-asan
asan:
	$(MAKE) BUILD=$(ASAN_BUILD) SANITIZE=address,undefined $(ASAN_BUILD)/holt \
		$(UNIT_SRC:tests/unit/%.c=$(ASAN_BUILD)/tests/%)

# libFuzzer targets (clang): one per parser, in build-fuzz/, run on their seed corpora in
# tests/fuzz/corpus/<target>/ by make check for a few seconds each (tests/fuzz/run-fuzz);
# make fuzz-long FUZZ_SECONDS=600 runs each longer. A crash leaves its input in
# build-fuzz/crashes/.
FUZZ_BUILD := build-fuzz
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_SECONDS ?= 300
fuzz:
	$(MAKE) CC=clang BUILD=$(FUZZ_BUILD) SANITIZE=address,undefined FUZZ=1 DEVELOPER=1 $(FUZZ_BIN)

fuzz-long: fuzz
	HOLT_FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run-fuzz $(FUZZ_BIN)

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(LIBPRESENT) $(LIBHOLT)
	@mkdir -p $(dir $@)
	$(CC) $(HOLT_CFLAGS) $(CFLAGS) -fsanitize=fuzzer $(HOLT_LDFLAGS) -o $@ $< $(LIBPRESENT) \
		$(LIBHOLT) $(HOLT_LIBS)

# clang's warnings differ from gcc's: CI builds with both.
CLANG_BUILD := build-clang
check-clang:
	$(MAKE) CC=clang BUILD=$(CLANG_BUILD) DEVELOPER=1 $(CLANG_BUILD)/holt \
		$(UNIT_SRC:tests/unit/%.c=$(CLANG_BUILD)/tests/%)

# lint runs as one of run-checks' jobs, beside the bats files, on one core. It compiles
# every source with clang's front end and these warnings as errors, and the fuzz build
# links with clang: so check needs no check-clang of its own. Its analyzer runs shallow
# there: the full depth took 700 of make check's 850 seconds on one of two cores, and
# shallow finds what lies within a function at a quarter of the cost.
#
# GNU make 4.3 runs the top-level make's own targets one at a time whatever MAKEFLAGS
# says in here (its sub-makes do see -j): the builds go through one sub-make, which
# runs them side by side, 100 s instead of 212 s from clean on two cores.
check:
	$(MAKE) --no-print-directory check-build
	HOLT_LINT="$(MAKE) --no-print-directory lint DEVELOPER=1 LINT_JOBS=1 LINT_DEPTH=shallow" \
		HOLT_ASAN=$(ASAN_BUILD)/holt HOLT_ASAN_UNITS="$(UNIT_SRC:tests/unit/%.c=$(ASAN_BUILD)/tests/%)" \
		HOLT_FUZZ="$(FUZZ_BIN)" tests/run-checks $(UNIT_BIN)

check-build: check-layers check-format all unit $(HELPER) asan fuzz

demo: holt
	tests/demo

deps:
	.ci/install-deps

install: all
	install -D -m 0755 holt $(DESTDIR)$(BINDIR)/holt
	install -D -m 0644 completions/holt.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/holt
	install -D -m 0644 completions/_holt $(DESTDIR)$(DATADIR)/zsh/vendor-completions/_holt
	install -D -m 0644 completions/holt.fish $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/holt.fish

FORMAT_SRC = $(wildcard cmd/*.[ch] core/base/*.[ch] core/*.[ch] net/*.[ch] storage/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch] tests/helper/*.c)

format:
	clang-format -i $(FORMAT_SRC)

check-format:
	@clang-format --dry-run --Werror $(FORMAT_SRC) && echo "check-format: every file formatted"

# The library's layers run one way: core/base/ includes nothing above it, storage/ and
# net/ include only core/base/ and themselves, and nothing below cmd/ includes cmd/.
check-layers:
	@bad=$$(grep -n '#include "\(core\|storage\|net\|cmd\)/' core/base/*.[ch] | grep -v '"core/base/'; \
		grep -n '#include "\(core\|cmd\|net\)/' storage/*.[ch] | grep -v '"core/base/'; \
		grep -n '#include "\(core\|cmd\|storage\)/' net/*.[ch] | grep -v '"core/base/'; \
		grep -n '#include "cmd/' core/*.[ch] storage/*.[ch] net/*.[ch]); \
	if [ -n "$$bad" ]; then echo "check-layers: an include runs against the layers:"; \
		echo "$$bad"; exit 1; fi

# Fails on any finding (.clang-tidy: WarningsAsErrors); clang-tidy runs LINT_JOBS files
# at once, a file per core by default. LINT_DEPTH=shallow (make check's): the static
# analyzer follows fewer calls, at a quarter of the time.
LINT_JOBS ?= $(shell nproc)
LINT_DEPTH ?= deep
LINT_ANALYZER = $(if $(filter shallow,$(LINT_DEPTH)),-Xclang -analyzer-config -Xclang mode=shallow)
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--suppress=missingIncludeSystem -I. $(LIB_SRC) $(CMD_SRC)
	printf '%s\n' $(LIB_SRC) $(CMD_SRC) | xargs -P $(LINT_JOBS) -I{} clang-tidy --quiet {} -- \
		$(HOLT_CFLAGS) $(LINT_ANALYZER)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(CLANG_BUILD) $(FUZZ_BUILD) holt completions/holt.bash completions/_holt completions/holt.fish

help:
	@echo 'make            build holt and its completions'
	@echo 'make check      unit and end-to-end tests (as root: creates test users)'
	@echo 'make demo       build an image from busybox-static and run a container'
	@echo 'make deps       install the Debian packages holt needs (apt-get)'
	@echo 'make install    install holt and completions under PREFIX'
	@echo 'make fuzz       libFuzzer targets in build-fuzz/; fuzz-long runs each FUZZ_SECONDS'
	@echo 'make format     format the sources; check-format to verify'
	@echo 'make lint       cppcheck and clang-tidy'
	@echo 'SANITIZE=address,undefined make ...  build with sanitizers'

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d)
