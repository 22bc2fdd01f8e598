/* See dyn_kernels.h: a fixed set of worker threads that share out numbered tasks. Workers live
   for the whole process (OpenBLAS keeps a work buffer per calling thread: threads that came
   and went would each take a new one) and sleep on a condition variable between jobs. */
#include "dyn_kernels.h"
#include <pthread.h>
#include <stdatomic.h>

enum { MAX_WORKERS = 64 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_ready = PTHREAD_COND_INITIALIZER;
static pthread_cond_t work_done = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;   /* one job at a time */

static long started = 1;        /* threads that exist, the caller counted */
static long wanted = 1;         /* threads a job uses */
static unsigned long generation; /* bumped for each job */
static long busy;                /* workers still in the current job */
static dyn_task_fn job_fn;
static void *job_ctx;
static long job_tasks, job_workers;
static atomic_long next_task;
static _Thread_local int inside_job;
static _Thread_local long current_worker;  /* inside a job: this thread's worker number */

static void work(long worker) {
    inside_job = 1;
    current_worker = worker;
    for (;;) {
        long t = atomic_fetch_add_explicit(&next_task, 1, memory_order_relaxed);
        if (t >= job_tasks) break;
        job_fn(job_ctx, t, worker);
    }
    inside_job = 0;
}

static void *worker_main(void *arg) {
    long me = (long)arg;
    unsigned long seen = 0;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (generation == seen) pthread_cond_wait(&work_ready, &lock);
        seen = generation;
        if (me >= job_workers) continue;  /* this job uses fewer threads */
        pthread_mutex_unlock(&lock);
        work(me);
        pthread_mutex_lock(&lock);
        if (--busy == 0) pthread_cond_signal(&work_done);
    }
    return NULL;
}

long dyn_pool_set_threads(long n) {
    if (n < 1) n = 1;
    if (n > MAX_WORKERS) n = MAX_WORKERS;
    pthread_mutex_lock(&run_lock);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 4 << 20);
    pthread_mutex_lock(&lock);
    while (started < n) {
        pthread_t t;
        if (pthread_create(&t, &attr, worker_main, (void *)started) != 0) break;
        pthread_detach(t);
        started++;
    }
    wanted = n < started ? n : started;
    long result = wanted;
    pthread_mutex_unlock(&lock);
    pthread_attr_destroy(&attr);
    pthread_mutex_unlock(&run_lock);
    return result;
}

long dyn_pool_threads(void) { return wanted; }

void dyn_pool_run(long tasks, dyn_task_fn fn, void *ctx) {
    /* Inline: one thread, a single task, a task starting a job of its own, or another
       thread's job under way. The tasks are the same whichever thread runs them. */
    if (wanted <= 1 || tasks <= 1 || inside_job || pthread_mutex_trylock(&run_lock) != 0) {
        long me = inside_job ? current_worker : 0;  /* a nested job keeps its thread's scratch */
        for (long t = 0; t < tasks; t++) fn(ctx, t, me);
        return;
    }
    pthread_mutex_lock(&lock);
    long workers = wanted < tasks ? wanted : tasks;
    job_fn = fn; job_ctx = ctx; job_tasks = tasks; job_workers = workers;
    atomic_store_explicit(&next_task, 0, memory_order_relaxed);
    busy = workers - 1;
    generation++;
    pthread_cond_broadcast(&work_ready);
    pthread_mutex_unlock(&lock);
    work(0);
    pthread_mutex_lock(&lock);
    while (busy > 0) pthread_cond_wait(&work_done, &lock);
    pthread_mutex_unlock(&lock);
    pthread_mutex_unlock(&run_lock);
}
