### tests shared by every area (each area's own tests are in its local.mk)
TESTS += tests/cli.sh tests/samples.sh tests/graph.sh
EXTRA_DIST += tests/lib.sh tests/cli.sh tests/samples.sh tests/graph.sh tests/data/samples.sums tests/gradcheck.c tests/gradcheck.h
TESTS += tests/report.sh
EXTRA_DIST += tests/report.sh
TESTS += tests/colour.sh
EXTRA_DIST += tests/colour.sh
TESTS += tests/threads.sh
EXTRA_DIST += tests/threads.sh
check_PROGRAMS += tests/check_docs
TESTS += tests/check_docs
tests_check_docs_SOURCES = tests/check_docs.c
TESTS += tests/install.sh
EXTRA_DIST += tests/install.sh examples/sample.c
### the run directory (gan/run.h): locks, existing runs, --force, resume
### after kill -9; examples/train.c trains through the same library loop
check_PROGRAMS += examples/train
examples_train_SOURCES = examples/train.c
examples_train_CFLAGS = $(AM_CFLAGS)
examples_train_LDADD = libgan.la -lm
TESTS += tests/rundir.sh
EXTRA_DIST += tests/rundir.sh
### outputs never replace what they should not (issue 29): the output-path guard, the atomic writer
TESTS += tests/outputs.sh
EXTRA_DIST += tests/outputs.sh
### every reader of a user-named file bounds its memory and time first (issue 29)
TESTS += tests/readers.sh
EXTRA_DIST += tests/readers.sh
check_PROGRAMS += tests/ckpt_poison
tests_ckpt_poison_SOURCES = tests/ckpt_poison.c
tests_ckpt_poison_LDADD = libgan.la -lm
### the help names every option the parser takes, and ganrun(1) the same (issue 29)
TESTS += tests/help.sh
EXTRA_DIST += tests/help.sh
### the smaller items of issue 29 (--set .=1, --force past a dangling link, 17 runs, escaped names)
TESTS += tests/smaller.sh
EXTRA_DIST += tests/smaller.sh
### the public API: libgan.so exports exactly what include/gan declares GAN_API
TESTS += tests/symbols.sh
EXTRA_DIST += tests/symbols.sh
### the floors (ARCHITECTURE.md): no folder of src/ calls a higher one, no cycle between folders
TESTS += tests/layering.sh
EXTRA_DIST += tests/layering.sh ARCHITECTURE.md
EXTRA_DIST += tests/valgrind.sh tests/sanitize.sh tests/tsan.sh
### data parallelism over MPI (tests/mpi.sh runs check_dist under mpirun;
### both skip without --with-mpi)
check_PROGRAMS += tests/check_dist
tests_check_dist_SOURCES = tests/check_dist.c
tests_check_dist_CFLAGS = $(AM_CFLAGS)
tests_check_dist_LDADD = libgan.la -lm
TESTS += tests/mpi.sh
EXTRA_DIST += tests/mpi.sh tests/mpi-ci.sh
### training extensions: ema, spectral norm, packing, truncation, interpolation
check_PROGRAMS += tests/check_shards
TESTS += tests/check_shards
tests_check_shards_SOURCES = tests/check_shards.c $(TEST_UTIL)
check_PROGRAMS += tests/check_ext
TESTS += tests/check_ext
tests_check_ext_SOURCES = tests/check_ext.c $(TEST_UTIL)
### ONNX export checked by the ONNX checker and ONNX Runtime (onnxruntime-node,
### installed into the build tree by quickstart.sh test); skips without them
TESTS += tests/onnx.sh
EXTRA_DIST += tests/onnx.sh tests/onnx_run.js
### NumPy .npy files, sample --latents/--labels/--latents-out, and the noise
### recipe of ganrun-checkpoint(5) reproduced in Python (tests/noise.py)
TESTS += tests/npy.sh
EXTRA_DIST += tests/npy.sh tests/noise.py

### the GEMM engines (train.gemm; the oneDNN ones skip without oneDNN)
check_PROGRAMS += tests/check_gemm
TESTS += tests/check_gemm tests/gemm.sh
EXTRA_DIST += tests/gemm.sh
tests_check_gemm_SOURCES = tests/check_gemm.c $(TEST_UTIL)
