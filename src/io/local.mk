### io: data loaders and writers (below training; checkpoints are in src/ckpt)
### data: loaders (IDX, CIFAR-10, PNG folder, images (PNG/JPEG folders), CSV, 2-D mixtures), PNG/IDX/CSV writers
libgan_la_SOURCES += src/io/io.h src/io/iofile.c src/io/outpath.c src/io/data.c src/io/dataset.c src/io/idx.c src/io/cifar.c \
	src/io/pngdir.c src/io/images.c src/io/imgdecode.c src/io/csv.c src/io/mixture.c src/io/pngwrite.c src/io/writers.c \
	src/io/npy.c
check_PROGRAMS += tests/check_data
TESTS += tests/check_data
tests_check_data_SOURCES = tests/check_data.c $(TEST_UTIL)
tests_check_data_CFLAGS = $(TEST_CFLAGS)
tests_check_data_LDADD = $(TEST_LIBS) $(ZLIB_LIBS) $(PNG_LIBS)

### format: images (PNG/JPEG folders, tests/images.sh builds them with Pillow)
check_PROGRAMS += tests/imgdump
tests_imgdump_SOURCES = tests/imgdump.c
tests_imgdump_LDADD = libgan.la
TESTS += tests/images.sh
EXTRA_DIST += tests/images.sh tests/images_fixture.py
