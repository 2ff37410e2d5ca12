### model: YAML model files -> validated spec -> networks
libgan_la_SOURCES += src/model/ytree.h src/model/ytree.c src/model/schema.h src/model/schema.c \
	src/model/scalar.c src/model/parse.c src/model/model.c src/model/expand.c src/model/build.c \
	src/model/cond.c src/model/clf.c src/model/graph.c

check_PROGRAMS += tests/check_model
TESTS += tests/check_model
tests_check_model_SOURCES = tests/check_model.c
