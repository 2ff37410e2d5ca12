### core: errors, random numbers, shapes, networks
pkginclude_HEADERS += include/gan/api.h include/gan/gan.h include/gan/error.h include/gan/rng.h \
	include/gan/layer.h include/gan/net.h include/gan/optim.h include/gan/loss.h \
	include/gan/data.h include/gan/model.h include/gan/train.h include/gan/ckpt.h include/gan/par.h \
	include/gan/blas.h
libgan_la_SOURCES += src/core/error.c src/core/rng.c src/core/shape.c src/core/net.c src/core/par.c \
	src/core/text.h src/core/text.c src/core/file.h src/core/file.c \
	src/core/blas.c src/core/gemm_onednn.h
### the oneDNN GEMM engine (train.gemm: onednn), with --with-onednn
if HAVE_ONEDNN
libgan_la_SOURCES += src/core/gemm_onednn.c
endif
### data parallelism over MPI (one-rank no-ops without --with-mpi): in
### core, below the layers (batchnorm's sync) and the trainer
libgan_la_SOURCES += src/core/dist.c
pkginclude_HEADERS += include/gan/dist.h

check_PROGRAMS += tests/check_core
TESTS += tests/check_core
tests_check_core_SOURCES = tests/check_core.c $(TEST_UTIL)
tests_check_core_CFLAGS = $(TEST_CFLAGS)
tests_check_core_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/check_par
TESTS += tests/check_par
tests_check_par_SOURCES = tests/check_par.c $(TEST_UTIL)
tests_check_par_CFLAGS = $(TEST_CFLAGS)
tests_check_par_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/check_graph
TESTS += tests/check_graph
tests_check_graph_SOURCES = tests/check_graph.c $(TEST_UTIL)
tests_check_graph_CFLAGS = $(TEST_CFLAGS)
tests_check_graph_LDADD = $(TEST_LIBS)

### OpenBLAS's kernels (gan/blas.h): cpuid -> core, self-check, restart
check_PROGRAMS += tests/check_blas
TESTS += tests/check_blas tests/blas.sh
EXTRA_DIST += tests/blas.sh
tests_check_blas_SOURCES = tests/check_blas.c $(TEST_UTIL)
tests_check_blas_CFLAGS = $(TEST_CFLAGS)
tests_check_blas_LDADD = $(TEST_LIBS)
