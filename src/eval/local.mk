### eval: metrics on any data set (Frechet distance, KID, precision/recall,
### density/coverage, exact k-NN, memorisation) and the label-free
### feature extractor; above train (uses nets and layers), below the CLI
libgan_la_SOURCES += src/eval/eval_impl.h src/eval/frechet.c src/eval/knn.c src/eval/prdc.c src/eval/kid.c \
	src/eval/features.c src/eval/folder.c \
	src/eval/score.c src/eval/clf_score.c src/eval/mixture_metrics.c
pkginclude_HEADERS += include/gan/eval.h
check_PROGRAMS += tests/check_eval
TESTS += tests/check_eval
tests_check_eval_SOURCES = tests/check_eval.c $(TEST_UTIL)
### eval end to end: sample -o DIR/, eval --real/--generated/--features-out, NumPy recomputing
TESTS += tests/metrics.sh
EXTRA_DIST += tests/metrics.sh tests/metrics_fixture.py
