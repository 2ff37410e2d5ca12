### io
### checkpoints: container (ckpt_file.c, ckpt_enc.c), trainer state (ckpt.c)
libgan_la_SOURCES += src/io/ckpt_file.h src/io/ckpt_file.c src/io/ckpt_enc.c
dist_man_MANS += man/ganrun-checkpoint.5

check_PROGRAMS += tests/check_ckpt
TESTS += tests/check_ckpt
# the container's private API (not exported by libgan) is compiled in too
tests_check_ckpt_SOURCES = tests/check_ckpt.c src/io/ckpt_file.c src/io/ckpt_enc.c src/io/ckpt_file.h
tests_check_ckpt_CFLAGS = $(TEST_CFLAGS)
tests_check_ckpt_LDADD = $(TEST_LIBS) $(ZLIB_LIBS)
