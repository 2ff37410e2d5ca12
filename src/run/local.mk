### run: a training run (above train and ckpt): the loop, output cadence,
### run directory (lock, history, checkpoints)
libgan_la_SOURCES += src/run/run.c src/run/resume.c
pkginclude_HEADERS += include/gan/run.h
check_PROGRAMS += tests/check_run
TESTS += tests/check_run
tests_check_run_SOURCES = tests/check_run.c $(TEST_UTIL)
