### bench: built on demand by bench/run.sh (make bench-programs)
EXTRA_PROGRAMS = bench/bench_step bench/sgemm_limit bench/bench_attention bench/bench_eval bench/gemm64
bench_bench_eval_SOURCES = bench/bench_eval.c
bench_gemm64_SOURCES = bench/gemm64.c
bench_gemm64_LDADD = libgan.la
bench_bench_eval_LDADD = libgan.la
bench_bench_step_SOURCES = bench/bench_step.c
bench_bench_step_LDADD = libgan.la
bench_bench_attention_SOURCES = bench/bench_attention.c
bench_bench_attention_LDADD = libgan.la
bench_sgemm_limit_SOURCES = bench/sgemm_limit.c
bench_sgemm_limit_LDADD = libgan.la $(BLAS_LIBS)
bench-programs: $(EXTRA_PROGRAMS)
CLEANFILES = $(EXTRA_PROGRAMS)
EXTRA_DIST += bench/run.sh bench/run64.sh bench/figures64.sh bench/grid64.py bench/emoji64.png bench/torch_dcgan64.py bench/mpi.sh bench/torch_dcgan.py bench/torch_grid.py bench/README.md \
	bench/attention.sh bench/torch_attention.py bench/eval.sh bench/torch_eval.py
