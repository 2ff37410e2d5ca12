### ckpt: checkpoints (above training: a trainer's state to a file and back)
### checkpoints: container (ckpt_file.c, ckpt_enc.c), trainer state
### (ckpt_state.c), `ganrun info` (ckpt_info.c), save/load (ckpt.c)
libgan_la_SOURCES += src/ckpt/ckpt_file.h src/ckpt/ckpt_file.c src/ckpt/ckpt_enc.c \
	src/ckpt/ckpt_state.h src/ckpt/ckpt_state.c src/ckpt/ckpt_info.c src/ckpt/ckpt.c \
	src/ckpt/ckpt_clf.c
dist_man_MANS += man/ganrun-checkpoint.5

check_PROGRAMS += tests/check_ckpt
TESTS += tests/check_ckpt
# the private API (not exported by libgan) is compiled into the test too
tests_check_ckpt_SOURCES = tests/check_ckpt.c src/ckpt/ckpt_file.c src/ckpt/ckpt_enc.c src/ckpt/ckpt_state.c \
	src/ckpt/ckpt_file.h src/ckpt/ckpt_state.h src/io/iofile.c src/train/state.c src/train/state.h $(TEST_UTIL)
tests_check_ckpt_CFLAGS = $(TEST_CFLAGS)
tests_check_ckpt_LDADD = $(TEST_LIBS) $(ZLIB_LIBS) $(BLAS_LIBS)
