### fuzzing: tests/fuzz/run.sh builds the harnesses with clang's libFuzzer
### (not part of `make check`: `make fuzz` or `sh tests/fuzz/run.sh SECONDS`);
### check_fuzz replays the kept inputs in tests/data/fuzz/ with the ordinary
### compiler, through the same harnesses.
check_PROGRAMS += tests/check_fuzz
TESTS += tests/check_fuzz
tests_check_fuzz_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz.c tests/fuzz/fuzz.h \
	tests/fuzz/fuzz_model.c tests/fuzz/fuzz_ckpt.c tests/fuzz/fuzz_idx.c \
	tests/fuzz/fuzz_cifar10.c tests/fuzz/fuzz_pngdir.c tests/fuzz/fuzz_csv.c tests/fuzz/fuzz_images.c \
	tests/fuzz/fuzz_latents.c tests/fuzz/fuzz_report.c \
	src/ckpt/ckpt_file.c src/ckpt/ckpt_enc.c src/ckpt/ckpt_state.c src/train/state.c src/io/iofile.c src/core/text.c
tests_check_fuzz_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_REPLAY
tests_check_fuzz_CFLAGS = $(TEST_CFLAGS)
tests_check_fuzz_LDADD = $(TEST_LIBS) $(ZLIB_LIBS) $(BLAS_LIBS)
EXTRA_DIST += tests/fuzz/run.sh tests/fuzz/coverage.sh tests/fuzz/seedgen.c tests/fuzz/README.md

FUZZ_SECONDS = 60
fuzz: all
	top_builddir='$(abs_top_builddir)' sh $(srcdir)/tests/fuzz/run.sh $(FUZZ_SECONDS)
.PHONY: fuzz
