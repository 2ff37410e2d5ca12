### io
### data: loaders (IDX, CIFAR-10, PNG folder, CSV, 2-D mixtures), PNG/IDX/CSV writers
libgan_la_SOURCES += src/io/io.h src/io/iofile.c src/io/data.c src/io/idx.c src/io/cifar.c \
	src/io/pngdir.c src/io/csv.c src/io/mixture.c src/io/pngwrite.c src/io/writers.c
check_PROGRAMS += tests/check_data
TESTS += tests/check_data
tests_check_data_SOURCES = tests/check_data.c
tests_check_data_CFLAGS = $(TEST_CFLAGS)
tests_check_data_LDADD = $(TEST_LIBS) $(ZLIB_LIBS) $(PNG_LIBS)
