### train

### optimizers and losses
# The optimizer loops are built on their own so that GCC vectorises them at
# -O2: the default -O2 cost model ("very-cheap") skips loops of unknown length,
# and sqrtf's errno path blocks them.  Neither flag changes any result
# (sqrt and division stay IEEE-exact, nothing is reassociated).
noinst_LTLIBRARIES += src/train/libganoptim.la
src_train_libganoptim_la_SOURCES = src/train/optim.c
src_train_libganoptim_la_CFLAGS = $(AM_CFLAGS) -fno-math-errno -fvect-cost-model=dynamic
libgan_la_LIBADD += src/train/libganoptim.la
libgan_la_SOURCES += src/train/loss.c
libgan_la_SOURCES += src/train/penalty.c

check_PROGRAMS += tests/check_train_math
TESTS += tests/check_train_math
tests_check_train_math_SOURCES = tests/check_train_math.c $(TEST_UTIL)
### trainer (the D/G schedule, wgan-gp penalty)
libgan_la_SOURCES += src/train/train.c src/train/augment.h src/train/augment.c src/train/ema.c src/train/noise.c src/train/sample.c src/train/job.c src/train/cond.h src/train/cond.c \
	src/train/classifier.c
pkginclude_HEADERS += include/gan/classify.h
check_PROGRAMS += tests/check_train
TESTS += tests/check_train
tests_check_train_SOURCES = tests/check_train.c $(TEST_UTIL)
### conditional GANs (label layers, labels, class-conditional sampling)
check_PROGRAMS += tests/check_cond
TESTS += tests/check_cond
tests_check_cond_SOURCES = tests/check_cond.c $(TEST_UTIL)
### ganrun's classifier, softmax cross-entropy, Frechet distance
check_PROGRAMS += tests/check_classify
TESTS += tests/check_classify
tests_check_classify_SOURCES = tests/check_classify.c $(TEST_UTIL)
TESTS += tests/classify.sh
EXTRA_DIST += tests/classify.sh
### training health (rollback on NaN/inf)
libgan_la_SOURCES += src/train/health.c src/train/state.h src/train/state.c
pkginclude_HEADERS += include/gan/health.h
check_PROGRAMS += tests/check_health
TESTS += tests/check_health
tests_check_health_SOURCES = tests/check_health.c $(TEST_UTIL)
TESTS += tests/health.sh
EXTRA_DIST += tests/health.sh
### the trainer's state table (private: compiled into the test)
check_PROGRAMS += tests/check_state
TESTS += tests/check_state
tests_check_state_SOURCES = tests/check_state.c src/train/state.c src/train/state.h $(TEST_UTIL)
tests_check_state_CFLAGS = $(TEST_CFLAGS)
tests_check_state_LDADD = $(TEST_LIBS)
### train.augment (flip, DiffAugment, ADA's p): the private ops compiled into the test
check_PROGRAMS += tests/check_augment
TESTS += tests/check_augment
tests_check_augment_SOURCES = tests/check_augment.c src/train/augment.c src/train/augment.h $(TEST_UTIL)
tests_check_augment_CFLAGS = $(TEST_CFLAGS)
tests_check_augment_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/check_penalty
TESTS += tests/check_penalty
tests_check_penalty_SOURCES = tests/check_penalty.c $(TEST_UTIL)
