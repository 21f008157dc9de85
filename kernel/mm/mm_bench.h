/* Kernel-mode memory benchmarks (mm_bench.c). */
#ifndef MM_MM_BENCH_H
#define MM_MM_BENCH_H

/* Runs them when the command line has `bench=mm`; else does nothing. */
void mm_bench_run_requested(void);

#endif
