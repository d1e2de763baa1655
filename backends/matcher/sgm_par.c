/* sgm_par.c - `-j N`: the rules tested on N threads, the output exactly as
 * with one.
 *
 * The reading thread cuts the input into chunks that end after a line
 * break and queues them.  N - 1 worker threads take them, and so does the
 * reading thread while it waits for the oldest.  For each line of a chunk
 * that is one whole JSON object (what the one-thread reader's fast path
 * takes), a worker parses it and tests the rules with an engine of its
 * own, noting which rules matched and nothing else: no output, no
 * aggregation state.  Each thread makes its engine itself, as it starts,
 * while the reading thread makes its own: from the tables and the index
 * emitted with them (the generated matcher), or as a clone of the reading
 * engine once that is made (the index built at start-up is then shared,
 * read-only).  The reading thread clones its second engine, the one it
 * tests chunks with, when it first takes one.
 *
 * The reading thread takes the chunks back in input order and plays their
 * lines through its own engine and reader, which hold all that depends on
 * order: the line numbers, the counts, the time that drives the
 * aggregation sweep, the reports and the aggregations.  A line with
 * matches is parsed again when an aggregation needs its fields, and its
 * matches are reported and fed in rule order, as one thread does.  Whatever the fast path would not take (pretty-
 * printed events, a malformed line, one longer than --max-event, bytes
 * after the last line break) goes through the reader byte by byte, as with
 * one thread; lines a worker read meanwhile are ignored until the reader
 * is back between events at a line start.  So the matches, their order,
 * the warnings and the summary do not depend on N.
 *
 * A thread with nothing to do looks again for a while (SGM_SPIN_NS) before
 * it sleeps: a sleeping thread on an idle core of a virtual machine can
 * take a millisecond to wake, which was most of what -j 2 lost at its start
 * and end.
 *
 * Memory: a ring of 2N+2 chunks of about 128 KiB each, one block (more for
 * a longer event), reused.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "sgm_impl.h"

/* The room a chunk keeps free for a read, after the carry; the reads fill
 * its SGM_CHUNK_CAP bytes: small enough that a worker parses it while it
 * is still in a cache the two cores share (1 MiB chunks made -j 2 1.4x;
 * 128 KiB 1.70x and 64 KiB 1.72x, side by side over 21 rounds; an event
 * longer than this grows its chunk) */
#define SGM_CHUNK_BYTES (1u << 16)
#define SGM_CHUNK_CAP (2 * SGM_CHUNK_BYTES)
#define SGM_CHUNK_MAX (1u << 30) /* a chunk's lines are indexed by 32-bit offsets */
#define SGM_SPIN_NS 2000000      /* how long a thread with nothing to do looks again before it sleeps */

/* QUIET: lines in a row that parsed and matched nothing, with no
 * aggregation to see their time: the reading thread counts them at once
 * (-j 2 1.5% to 1.8% faster than with a record for each line, paired) */
enum { SGM_LINE_OK, SGM_LINE_QUIET, SGM_LINE_BLANK, SGM_LINE_SLOW };

/* One line of a chunk, as a worker found it, or a run of quiet ones. */
typedef struct sgm_par_line {
    uint32_t off, end; /* the line in the chunk, its line break included */
    union {
        uint32_t len;     /* OK: the event's text from off, trailing blanks left out */
        uint32_t n_quiet; /* QUIET: the lines */
    };
    uint32_t hits, n_hits; /* OK: the rules that matched, in the chunk's hits */
    uint32_t regex_limit;  /* regex limits it tripped */
    uint8_t status;
    bool has_time;
    int64_t time_us;
} sgm_par_line;

enum { SGM_CHUNK_FREE, SGM_CHUNK_QUEUED, SGM_CHUNK_DONE };

/* Each chunk of the ring in cache lines of its own (two: the adjacent-line
 * prefetcher fetches them in pairs), apart from the one another thread
 * fills or tests; with sgm_par_work's counts kept in locals, -j 2 1% to 2%
 * faster, paired */
#define SGM_CHUNK_ALIGN 128

typedef struct sgm_chunk {
    _Alignas(SGM_CHUNK_ALIGN) char *buf; /* in the ring's block, or its own when it grew */
    size_t len, cap;
    bool own_buf;
    bool raw; /* no line break in it: all of it goes to the reader */
    int state;
    sgm_par_line *lines;
    uint32_t n_lines, cap_lines;
    uint32_t *hits;
    uint32_t n_hits, cap_hits;
    bool failed; /* out of memory in the worker: the reader takes it all */
} sgm_chunk;

/* A worker thread and the engine it makes. */
typedef struct sgm_par_thread {
    struct sgm_par *par;
    unsigned index; /* in workers */
    pthread_t id;
} sgm_par_thread;

struct sgm_par {
    unsigned n_workers; /* engines: [0] the reading thread's, [1..] the threads' */
    sgm_engine **workers;
    sgm_par_thread *threads; /* [1..] */
    unsigned n_started;
    /* what the threads make their engines from: the tables and the index
     * emitted with them, or a clone of base */
    const sgm_tables *t;
    const sgm_index *prebuilt;
    const sgm_engine *base;
    sgm_options wo;
    unsigned n_failed;    /* threads that could not make their engine */
    char failure[256];    /* the first one's reason */
    bool failure_told;
    bool own_failed;      /* the reading thread could not clone its second engine */
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    /* bumped (under mu) at each change a thread may wait for: a chunk
     * queued or done, the stop; a waiting thread watches it before it
     * sleeps */
    atomic_uint_fast64_t changes;
    sgm_chunk *ring;
    char *bufs; /* the chunks' buffers, one block: freed at once (each
                   munmap of its own cost up to 0.3 ms here after the
                   threads ended) */
    unsigned n_ring;
    uint64_t head;      /* the oldest chunk not yet played */
    uint64_t next_work; /* the next chunk a worker takes */
    uint64_t tail;      /* the next chunk to fill */
    bool stop;
    int reader_cpu;    /* the CPU the reading thread ran on as the threads started, or -1 */
    bool always_ready; /* the input is a file or a memory stream: a read never waits */
    char *carry; /* bytes after the last line break of the chunk before */
    size_t carry_len, carry_cap;
};

static bool sgm_par_reserve(void **p, uint32_t *cap, uint32_t need, size_t size) {
    if (need <= *cap) return true;
    uint32_t n = *cap ? *cap : 64;
    while (n < need) n *= 2;
    void *q = realloc(*p, (size_t)n * size);
    if (!q) return false;
    *p = q;
    *cap = n;
    return true;
}

/* A worker's pass over one chunk: each line classified, parsed and tested.
 * What it writes to the chunk it writes once, at the end (see
 * SGM_CHUNK_ALIGN). */
static void sgm_par_work(sgm_engine *w, sgm_chunk *c) {
    sgm_chunk k = *c;
    k.n_lines = k.n_hits = 0;
    k.failed = false;
    size_t at = 0;
    while (!k.raw && at < k.len) {
        const char *p = k.buf + at;
        const char *nl = memchr(p, '\n', k.len - at);
        size_t end = nl ? (size_t)(nl - k.buf) + 1 : k.len; /* chunks end in a line break */
        if (!sgm_par_reserve((void **)&k.lines, &k.cap_lines, k.n_lines + 1, sizeof *k.lines)) {
            k.failed = true;
            break;
        }
        sgm_par_line *l = &k.lines[k.n_lines++];
        size_t n = sgm_trim_line(p, end - at - 1);
        *l = (sgm_par_line){.off = (uint32_t)at, .end = (uint32_t)end, .len = (uint32_t)n, .status = SGM_LINE_SLOW};
        at = end;
        if (!n) {
            l->status = SGM_LINE_BLANK;
            continue;
        }
        /* the reader's fast path: '{' first, '}' last, not too long, parses */
        size_t err_off;
        const char *msg;
        if (p[0] != '{' || p[n - 1] != '}' || n > w->o.max_event || sgm_json_parse_event(w, p, n, &err_off, &msg) != 0)
            continue;
        uint64_t limits = w->st.regex_limit;
        w->n_hits = 0;
        w->hits_failed = false;
        sgm_event_rules(w);
        if (w->hits_failed || !sgm_par_reserve((void **)&k.hits, &k.cap_hits, k.n_hits + w->n_hits, sizeof *k.hits))
            continue; /* the reader tests it again */
        if (w->n_hits) memcpy(k.hits + k.n_hits, w->hits, w->n_hits * sizeof *w->hits);
        l->hits = k.n_hits;
        l->n_hits = w->n_hits;
        k.n_hits += w->n_hits;
        l->regex_limit = (uint32_t)(w->st.regex_limit - limits);
        if (!w->n_hits && !l->regex_limit && !w->t->n_aggs) {
            sgm_par_line *run = k.n_lines > 1 ? l - 1 : NULL;
            if (run && run->status == SGM_LINE_QUIET) {
                run->end = l->end;
                run->n_quiet++;
                k.n_lines--;
            } else {
                l->status = SGM_LINE_QUIET;
                l->n_quiet = 1;
            }
            continue;
        }
        if (w->n_hits) sgm_event_time(w); /* the reading thread reports them */
        l->has_time = w->ev.has_time;
        l->time_us = w->ev.time_us;
        l->status = SGM_LINE_OK;
    }
    c->lines = k.lines;
    c->cap_lines = k.cap_lines;
    c->n_lines = k.n_lines;
    c->hits = k.hits;
    c->cap_hits = k.cap_hits;
    c->n_hits = k.n_hits;
    c->failed = k.failed;
}

/* Grows a chunk's buffer to at least need bytes, its bytes kept; out of
 * the ring's block into one of its own the first time. */
static bool sgm_chunk_reserve(sgm_chunk *c, size_t need) {
    if (need <= c->cap) return true;
    if (c->own_buf) return sgm_reserve(&c->buf, &c->cap, need);
    char *buf = NULL;
    size_t cap = 0;
    if (!sgm_reserve(&buf, &cap, need)) return false;
    memcpy(buf, c->buf, c->len);
    c->buf = buf;
    c->cap = cap;
    c->own_buf = true;
    return true;
}

/* A change a thread may wait for; called with p->mu held. */
static void sgm_par_changed(sgm_par *p) { atomic_fetch_add_explicit(&p->changes, 1, memory_order_release); }

/* Called with p->mu held, returns with it held: before the caller sleeps
 * on a condition, looks for a change (with the lock let go) for up to
 * SGM_SPIN_NS, yielding the core to whatever else wants it. */
static void sgm_par_spin(sgm_par *p) {
    uint_fast64_t seen = atomic_load_explicit(&p->changes, memory_order_relaxed);
    pthread_mutex_unlock(&p->mu);
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned i = 1; atomic_load_explicit(&p->changes, memory_order_acquire) == seen; i++) {
        sched_yield();
        if (i % 16) continue;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - t0.tv_sec) * 1000000000LL + (now.tv_nsec - t0.tv_nsec) > SGM_SPIN_NS) break;
    }
    pthread_mutex_lock(&p->mu);
}

/* The CPU the calling thread runs on, or -1 when the system does not say. */
static int sgm_par_cpu(void) {
#if defined(__linux__) && defined(SYS_getcpu)
    unsigned cpu;
    if (syscall(SYS_getcpu, &cpu, NULL, NULL) == 0) return (int)cpu;
#endif
    return -1;
}

/* Moves the calling thread off the CPU cpu, then lets it run wherever it
 * could before.  A new thread often starts on the CPU of the thread that
 * made it (here in a third of the runs); looking for work there, it took
 * turns with the reading thread until the scheduler moved one of them,
 * up to 8 ms into the scan. */
static void sgm_par_move_off(int cpu) {
#if defined(__linux__) && defined(SYS_sched_getaffinity) && defined(SYS_sched_setaffinity)
    enum { BITS = 8 * sizeof(unsigned long), WORDS = 1024 / BITS };
    unsigned long all[WORDS] = {0}, away[WORDS];
    long size = syscall(SYS_sched_getaffinity, 0, sizeof all, all); /* the bytes the kernel's set takes */
    if (cpu < 0 || cpu >= WORDS * BITS || size <= 0 || !(all[cpu / BITS] & 1UL << (cpu % BITS))) return;
    memcpy(away, all, sizeof away);
    away[cpu / BITS] &= ~(1UL << (cpu % BITS));
    bool elsewhere = false;
    for (unsigned i = 0; i < WORDS; i++) elsewhere |= away[i] != 0;
    if (elsewhere && syscall(SYS_sched_setaffinity, 0, (size_t)size, away) == 0)
        syscall(SYS_sched_setaffinity, 0, (size_t)size, all);
#else
    (void)cpu;
#endif
}

static void *sgm_par_worker(void *arg) {
    sgm_par_thread *th = arg;
    sgm_par *p = th->par;
    sgm_par_move_off(p->reader_cpu);
    char err[256] = "out of memory";
    sgm_engine *w = p->base ? sgm_engine_clone(p->base, &p->wo, err, sizeof err)
                            : sgm_engine_new_indexed(p->t, p->prebuilt, &p->wo, err, sizeof err);
    if (w) {
        w->collect = true;
        w->par = p;
    }
    pthread_mutex_lock(&p->mu);
    p->workers[th->index] = w;
    if (!w && !p->n_failed++) snprintf(p->failure, sizeof p->failure, "%s", err);
    while (w) {
        if (!p->stop && p->next_work == p->tail) sgm_par_spin(p);
        while (!p->stop && p->next_work == p->tail) pthread_cond_wait(&p->work_cv, &p->mu);
        if (p->stop) break;
        sgm_chunk *c = &p->ring[p->next_work++ % p->n_ring];
        pthread_mutex_unlock(&p->mu);
        sgm_par_work(w, c);
        pthread_mutex_lock(&p->mu);
        c->state = SGM_CHUNK_DONE;
        sgm_par_changed(p);
        pthread_cond_broadcast(&p->done_cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

void sgm_par_free(sgm_par *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    sgm_par_changed(p);
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 1; i <= p->n_started; i++) pthread_join(p->threads[i].id, NULL);
    for (unsigned i = 0; p->workers && i < p->n_workers; i++) sgm_engine_free(p->workers[i]);
    for (unsigned i = 0; p->ring && i < p->n_ring; i++) {
        if (p->ring[i].own_buf) free(p->ring[i].buf);
        free(p->ring[i].lines);
        free(p->ring[i].hits);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work_cv);
    pthread_cond_destroy(&p->done_cv);
    free(p->bufs);
    free(p->ring);
    free(p->workers);
    free(p->threads);
    free(p->carry);
    free(p);
}

sgm_par *sgm_par_start(sgm_engine *e, const sgm_index *prebuilt) {
    sgm_par *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->n_workers = e->o.jobs;
    p->n_ring = 2 * p->n_workers + 2;
    p->t = e->t;
    p->prebuilt = prebuilt;
    p->base = prebuilt ? NULL : e;
    p->reader_cpu = sgm_par_cpu();
    p->wo = e->o;
    p->wo.jobs = 1;
    p->wo.progress = SGM_PROGRESS_NEVER;
    p->wo.summary = false;
    p->wo.check_index = false;
    p->workers = calloc(p->n_workers, sizeof *p->workers);
    p->threads = calloc(p->n_workers, sizeof *p->threads);
    p->ring = aligned_alloc(SGM_CHUNK_ALIGN, p->n_ring * sizeof *p->ring);
    if (p->ring) memset(p->ring, 0, p->n_ring * sizeof *p->ring);
    p->bufs = malloc((size_t)p->n_ring * SGM_CHUNK_CAP);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work_cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    atomic_init(&p->changes, 0);
    bool ok = p->workers && p->threads && p->ring && p->bufs;
    for (unsigned i = 0; ok && i < p->n_ring; i++) {
        p->ring[i].buf = p->bufs + (size_t)i * SGM_CHUNK_CAP;
        p->ring[i].cap = SGM_CHUNK_CAP;
    }
    char err[256] = "out of memory";
    for (unsigned i = 1; ok && i < p->n_workers; i++) { /* workers[0] is the reading thread's */
        p->threads[i] = (sgm_par_thread){p, i, 0};
        int rc = pthread_create(&p->threads[i].id, NULL, sgm_par_worker, &p->threads[i]);
        if (rc) snprintf(err, sizeof err, "cannot start a thread: %s", strerror(rc));
        else p->n_started++;
        ok = rc == 0;
    }
    if (!ok) {
        sgm_progress_clear(e);
        fprintf(e->o.err, "%s: warning: -j %u: %s; testing the rules on one thread\n", e->o.prog, e->o.jobs, err);
        sgm_par_free(p);
        return NULL;
    }
    return p;
}

/* The reading thread's engine for testing chunks, cloned on first use;
 * NULL when memory ran out (the chunk then goes through the reader). */
static sgm_engine *sgm_par_own_engine(sgm_engine *e) {
    sgm_par *p = e->par;
    if (p->workers[0] || p->own_failed) return p->workers[0];
    char err[256];
    sgm_engine *w = sgm_engine_clone(e, &p->wo, err, sizeof err);
    if (!w) {
        p->own_failed = true;
        return NULL;
    }
    w->collect = true;
    w->par = p;
    return p->workers[0] = w;
}

/* The reading thread's side of one line the workers took. */
static bool sgm_par_play_line(sgm_engine *e, sgm_reader *rd, const sgm_chunk *c, const sgm_par_line *l) {
    const char *p = c->buf + l->off;
    size_t whole = l->end - l->off; /* the line with its break, as the reader takes it */
    if (c->failed || l->status == SGM_LINE_SLOW) return sgm_reader_feed(rd, p, whole);
    if (l->status == SGM_LINE_QUIET) {
        /* the reader takes them line by line until it is between events,
         * then they are counted at once */
        uint32_t left = l->n_quiet;
        const char *end = c->buf + l->end;
        while (left && !sgm_reader_clean(rd)) {
            const char *nl = memchr(p, '\n', (size_t)(end - p)); /* each line of the run ends in one */
            size_t line = nl ? (size_t)(nl + 1 - p) : (size_t)(end - p);
            if (!sgm_reader_feed(rd, p, line)) return false;
            p += line;
            left--;
        }
        e->st.events += left;
        rd->line += left;
        return true;
    }
    if (!sgm_reader_clean(rd)) return sgm_reader_feed(rd, p, whole);
    if (l->status == SGM_LINE_BLANK) {
        rd->line++;
        return true;
    }
    e->ev.file = rd->name;
    e->ev.line = rd->line;
    e->ev.is_record = false;
    bool feeds = false;
    for (uint32_t i = 0; i < l->n_hits && !feeds; i++) feeds = e->ix.feed_count[c->hits[l->hits + i]] != 0;
    if (feeds) { /* the aggregations read the event's fields: parse it again */
        size_t err_off;
        const char *msg;
        if (sgm_json_parse_event(e, p, l->len, &err_off, &msg) != 0) return sgm_reader_feed(rd, p, whole);
    } else { /* a report needs the text and the time only */
        e->ev.raw = p;
        e->ev.raw_len = l->len;
        e->ev.has_time = l->has_time;
        e->ev.time_us = l->time_us;
        e->ev.time_pending = false;
    }
    sgm_event_begin(e);
    for (uint32_t i = 0; i < l->n_hits; i++) sgm_rule_effects(e, c->hits[l->hits + i]);
    e->st.regex_limit += l->regex_limit;
    rd->line++;
    return true;
}

/* Waits for the oldest chunk and plays it; false when memory ran out.
 * While it waits, the reading thread tests queued chunks itself. */
static bool sgm_par_play(sgm_engine *e, sgm_reader *rd) {
    sgm_par *p = e->par;
    sgm_chunk *c = &p->ring[p->head % p->n_ring];
    pthread_mutex_lock(&p->mu);
    while (c->state != SGM_CHUNK_DONE) {
        if (p->next_work == p->tail) {
            sgm_par_spin(p);
            if (c->state != SGM_CHUNK_DONE && p->next_work == p->tail) pthread_cond_wait(&p->done_cv, &p->mu);
            continue;
        }
        sgm_chunk *own = &p->ring[p->next_work++ % p->n_ring];
        pthread_mutex_unlock(&p->mu);
        sgm_engine *w = sgm_par_own_engine(e);
        if (w) sgm_par_work(w, own);
        else own->failed = true; /* the reader takes it all */
        pthread_mutex_lock(&p->mu);
        own->state = SGM_CHUNK_DONE;
    }
    bool tell = p->n_failed && !p->failure_told;
    p->failure_told |= tell;
    pthread_mutex_unlock(&p->mu);
    if (tell) {
        sgm_progress_clear(e);
        fprintf(e->o.err, "%s: warning: -j %u: %u of the threads could not start (%s); the others test the rules\n",
                e->o.prog, e->o.jobs, p->n_failed, p->failure);
    }
    bool ok = true;
    if (c->raw || c->failed) ok = sgm_reader_feed(rd, c->buf, c->len);
    else
        for (uint32_t i = 0; ok && i < c->n_lines; i++) ok = sgm_par_play_line(e, rd, c, &c->lines[i]);
    sgm_out_flush(e, false);
    sgm_progress_tick(e);
    c->state = SGM_CHUNK_FREE;
    p->head++;
    return ok;
}

static void sgm_par_queue(sgm_par *p, sgm_chunk *c) {
    pthread_mutex_lock(&p->mu);
    c->state = SGM_CHUNK_QUEUED;
    p->tail++;
    sgm_par_changed(p);
    pthread_cond_signal(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
}

/* Whether a read of the input would return at once: a pipe with data;
 * always for a file or a memory stream (known as its scan starts). */
static bool sgm_par_ready(const sgm_par *p, FILE *in) {
    if (p->always_ready) return true;
    struct pollfd pf = {fileno(in), POLLIN, 0};
    return poll(&pf, 1, 0) != 0;
}

/* Fills the next chunk: the carry, then what the input gives, cut after the
 * last line break.  0 queued, 1 end of input (nothing queued), -1 read error
 * or no memory (reported). */
static int sgm_par_fill(sgm_engine *e, sgm_reader *rd, const char *name, FILE *in) {
    sgm_par *p = e->par;
    if (e->out_errno) return 1; /* the output failed: read no more */
    while (p->tail - p->head == p->n_ring || (p->tail != p->head && !sgm_par_ready(p, in)))
        if (!sgm_par_play(e, rd)) goto oom; /* the ring is full, or the input has nothing yet */
    sgm_chunk *c = &p->ring[p->tail % p->n_ring];
    c->len = 0;
    if (!sgm_chunk_reserve(c, p->carry_len + SGM_CHUNK_BYTES)) goto oom;
    if (p->carry_len) memcpy(c->buf, p->carry, p->carry_len);
    c->len = p->carry_len;
    c->raw = false;
    p->carry_len = 0;
    for (;;) {
        if (!sgm_chunk_reserve(c, c->len + SGM_CHUNK_BYTES / 2)) goto oom;
        bool failed;
        size_t got = sgm_read_some(in, c->buf + c->len, c->cap - c->len, &failed);
        if (failed) {
            sgm_progress_clear(e);
            fprintf(e->o.err, "%s: error: %s: %s\n", e->o.prog, name, strerror(errno));
            e->st.failed_inputs++;
            return -1;
        }
        size_t from = c->len;
        c->len += got;
        e->input_done += got;
        e->bytes_done += got;
        const char *last = NULL; /* the last line break (the bytes before the new ones have none) */
        for (size_t i = c->len; i > from; i--)
            if (c->buf[i - 1] == '\n') {
                last = c->buf + i - 1;
                break;
            }
        if (last) {
            size_t keep = (size_t)(last - c->buf) + 1;
            if (!sgm_reserve(&p->carry, &p->carry_cap, c->len - keep)) goto oom;
            p->carry_len = c->len - keep;
            if (p->carry_len) memcpy(p->carry, c->buf + keep, p->carry_len);
            c->len = keep;
            sgm_par_queue(p, c);
            return got ? 0 : 1;
        }
        /* no line break at all: at the end, or past the longest event (or
         * what a chunk can index), the reader takes the bytes as they are */
        if (!got || c->len > e->o.max_event || c->len > SGM_CHUNK_MAX) {
            if (!c->len) return 1;
            c->raw = true;
            sgm_par_queue(p, c);
            return got ? 0 : 1;
        }
    }
oom:
    sgm_progress_clear(e);
    fprintf(e->o.err, "%s: error: %s: out of memory\n", e->o.prog, name);
    e->st.failed_inputs++;
    return -1;
}

int sgm_par_scan_stream(sgm_engine *e, const char *name, FILE *in) {
    if (!e->par) return 1; /* they did not start: the reader tests the rules */
    sgm_par *p = e->par;
    sgm_reader rd;
    if (!sgm_reader_init(&rd, e, name)) {
        fprintf(e->o.err, "%s: error: %s: out of memory\n", e->o.prog, name);
        e->st.failed_inputs++;
        return -1;
    }
    p->carry_len = 0;
    struct stat st;
    p->always_ready = fileno(in) < 0 || (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode));
    int rc;
    while ((rc = sgm_par_fill(e, &rd, name, in)) == 0) {
    }
    bool ok = true;
    while (p->head != p->tail) ok = sgm_par_play(e, &rd) && ok; /* the chunks in flight */
    if (rc > 0 && ok) sgm_reader_scan(&rd, true); /* bytes after the last line break were a raw chunk */
    if (!ok && rc >= 0) {
        sgm_progress_clear(e);
        fprintf(e->o.err, "%s: error: %s: out of memory\n", e->o.prog, name);
        e->st.failed_inputs++;
        rc = -1;
    }
    free(rd.buf);
    return rc < 0 ? -1 : 0;
}
