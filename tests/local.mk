### tests shared by every area (each area's own tests are in its local.mk)
TESTS += tests/cli.sh
EXTRA_DIST += tests/cli.sh tests/gradcheck.c tests/gradcheck.h
TESTS += tests/report.sh
EXTRA_DIST += tests/report.sh
