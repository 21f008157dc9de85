/* The EEVDF policy under simulated workloads. A discrete-event simulator
 * plays the kernel's part on one CPU: it charges the running task at every
 * event, arms a one-shot timer at now + sched_runtime_left(), and at a
 * wakeup enqueues and picks again, switching if the pick changed. Tasks are
 * CPU-bound, run-then-sleep, or yield in a loop. The bounds below are the
 * policy's promises: shares by weight, wakeup latency under two slices,
 * sleep credit capped at one slice, no catch-up burst for newcomers. */
#include <stdint.h>

#include "sched/eevdf.h"
#include "unit.h"

#define MS	((uint64_t)1000000)
#define US	((uint64_t)1000)
#define SEC	((uint64_t)1000000000)
#define SLICE	((uint64_t)SCHED_SLICE_NS)
#define NEVER	UINT64_MAX
#define MAXTASKS 8
#define MAXLAT	20000

enum kind { CPU_BOUND, RUN_SLEEP, YIELDER };

struct task {
	struct sched_entity se;
	enum kind kind;
	uint64_t run_ns;	/* RUN_SLEEP: per wakeup; YIELDER: per yield */
	uint64_t sleep_ns;
	bool asleep;
	uint64_t wake_at;
	uint64_t work_left;	/* until it next blocks or yields */
	uint64_t woke_at;	/* NEVER once it has run since waking */
	uint64_t on_cpu_since;
	/* statistics */
	uint64_t max_stretch;	/* longest time on the CPU without a switch */
	uint64_t nlat, lat_max;
	uint64_t *lat;		/* wakeup-to-run latencies, if recorded */
};

struct sim {
	struct sched_queue q;
	struct task *task[MAXTASKS];
	int ntasks;
	struct task *curr;
	uint64_t now, last_charge, timer;
	uint64_t tick;		/* coarse mode: the timer never fires sooner */
	uint64_t switches;
	int trace[64];		/* the first switches, by task index */
	int ntrace;
};

static double share(const struct task *t, uint64_t total)
{
	return (double)t->se.runtime_ns / (double)total;
}

static double rel_err(double got, double want)
{
	return got > want ? (got - want) / want : (want - got) / want;
}

static void task_init(struct task *t, enum kind kind, int nice,
		      uint64_t run_ns, uint64_t sleep_ns)
{
	*t = (struct task){
		.kind = kind,
		.run_ns = run_ns,
		.sleep_ns = sleep_ns,
		.woke_at = NEVER,
	};
	sched_entity_init(&t->se, nice);
	t->work_left = run_ns;
}

static void sim_init(struct sim *s)
{
	*s = (struct sim){ 0 };
	sched_queue_init(&s->q);
}

static int task_index(const struct sim *s, const struct task *t)
{
	for (int i = 0; i < s->ntasks; i++)
		if (s->task[i] == t)
			return i;
	return -1;
}

static void charge_curr(struct sim *s)
{
	struct task *t = s->curr;

	if (t == NULL)
		return;
	sched_charge(&s->q, &t->se, s->now - s->last_charge);
	if (t->kind != CPU_BOUND)
		t->work_left -= s->now - s->last_charge;
	s->last_charge = s->now;
}

static void note_stretch(struct sim *s)
{
	struct task *t = s->curr;

	if (t != NULL && s->now - t->on_cpu_since > t->max_stretch)
		t->max_stretch = s->now - t->on_cpu_since;
}

static void switch_out(struct sim *s)
{
	note_stretch(s);
	s->curr = NULL;
}

/* Pick and switch if the pick changed; then re-arm the one-shot timer. */
static void reschedule(struct sim *s)
{
	struct sched_entity *se = sched_pick(&s->q);
	struct task *next = se ? (struct task *)se : NULL;	/* se is first */

	if (next != s->curr) {
		switch_out(s);
		s->curr = next;
		s->switches++;
		if (next != NULL) {
			next->on_cpu_since = s->now;
			if (s->ntrace < 64)
				s->trace[s->ntrace++] = task_index(s, next);
		}
	}
	if (next != NULL && next->woke_at != NEVER) {
		uint64_t lat = s->now - next->woke_at;

		if (next->lat != NULL && next->nlat < MAXLAT)
			next->lat[next->nlat] = lat;
		next->nlat++;
		if (lat > next->lat_max)
			next->lat_max = lat;
		next->woke_at = NEVER;
	}
	s->last_charge = s->now;
	if (next != NULL) {
		uint64_t left = sched_runtime_left(&s->q, &next->se);

		s->timer = s->now + (left > s->tick ? left : s->tick);
	}
}

static void sim_add(struct sim *s, struct task *t)
{
	s->task[s->ntasks++] = t;
	charge_curr(s);
	sched_enqueue(&s->q, &t->se);
	reschedule(s);
}

/* Blocks t until wake_at, wherever it is (the kernel's block path). */
static void sim_sleep(struct sim *s, struct task *t, uint64_t wake_at)
{
	charge_curr(s);
	sched_dequeue(&s->q, &t->se);
	if (s->curr == t)
		switch_out(s);
	t->asleep = true;
	t->wake_at = wake_at;
	reschedule(s);
}

static void wake(struct sim *s, struct task *t)
{
	t->asleep = false;
	t->work_left = t->run_ns;
	t->woke_at = s->now;
	sched_enqueue(&s->q, &t->se);
}

static uint64_t next_event(const struct sim *s, uint64_t until)
{
	uint64_t t = until;

	for (int i = 0; i < s->ntasks; i++)
		if (s->task[i]->asleep && s->task[i]->wake_at < t)
			t = s->task[i]->wake_at;
	if (s->curr == NULL)
		return t;
	if (s->timer < t)
		t = s->timer;
	if (s->curr->kind != CPU_BOUND && s->now + s->curr->work_left < t)
		t = s->now + s->curr->work_left;
	return t;
}

static void sim_run(struct sim *s, uint64_t until)
{
	while (s->now < until) {
		struct task *t;

		s->now = next_event(s, until);
		charge_curr(s);
		t = s->curr;
		if (t != NULL && t->kind != CPU_BOUND && t->work_left == 0) {
			if (t->kind == RUN_SLEEP) {
				sched_dequeue(&s->q, &t->se);
				switch_out(s);
				t->asleep = true;
				t->wake_at = s->now + t->sleep_ns;
			} else {
				sched_yield(&s->q, &t->se);
				t->work_left = t->run_ns;
			}
		}
		for (int i = 0; i < s->ntasks; i++)
			if (s->task[i]->asleep && s->task[i]->wake_at <= s->now)
				wake(s, s->task[i]);
		reschedule(s);
	}
	note_stretch(s);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

TEST(fairness_equal_weights)
{
	struct sim s;
	struct task t[3];

	sim_init(&s);
	for (int i = 0; i < 3; i++) {
		task_init(&t[i], CPU_BOUND, 0, 0, 0);
		sim_add(&s, &t[i]);
	}
	sim_run(&s, 10 * SEC);
	for (int i = 0; i < 3; i++) {
		printf("# equal: task %d share %.4f\n", i, share(&t[i], s.now));
		CHECK(rel_err(share(&t[i], s.now), 1.0 / 3) < 0.02);
		/* Nobody holds the CPU past its request. */
		CHECK(t[i].max_stretch <= SLICE);
	}
}

TEST(fairness_by_weight)
{
	static const int nice[3] = { -5, 0, 5 };
	struct sim s;
	struct task t[3];
	double wsum = 0;

	sim_init(&s);
	for (int i = 0; i < 3; i++) {
		task_init(&t[i], CPU_BOUND, nice[i], 0, 0);
		sim_add(&s, &t[i]);
		wsum += t[i].se.weight;
	}
	sim_run(&s, 10 * SEC);
	for (int i = 0; i < 3; i++) {
		double want = t[i].se.weight / wsum;

		printf("# by weight: nice %d share %.4f want %.4f\n", nice[i],
		       share(&t[i], s.now), want);
		CHECK(rel_err(share(&t[i], s.now), want) < 0.03);
	}
}

TEST(sleeper_latency)
{
	static uint64_t lat[MAXLAT];
	static const uint64_t edge[] = {
		100 * US, 500 * US, 1 * MS, 3 * MS, 6 * MS
	};
	uint64_t hist[6] = { 0 }, p99;
	struct sim s;
	struct task hog[4], io;
	uint64_t n;

	sim_init(&s);
	for (int i = 0; i < 4; i++) {
		task_init(&hog[i], CPU_BOUND, 0, 0, 0);
		sim_add(&s, &hog[i]);
	}
	task_init(&io, RUN_SLEEP, 0, 50 * US, 1 * MS);
	io.lat = lat;
	sim_add(&s, &io);
	sim_run(&s, 10 * SEC);

	n = io.nlat < MAXLAT ? io.nlat : MAXLAT;
	CHECK(n > 9000);	/* about one wakeup per 1.05 ms */
	for (uint64_t i = 0; i < n; i++) {
		unsigned b = 0;

		while (b < 5 && lat[i] >= edge[b])
			b++;
		hist[b]++;
	}
	qsort(lat, n, sizeof(lat[0]), cmp_u64);
	p99 = lat[n * 99 / 100];
	printf("# latency wakeups %" PRIu64 " max %" PRIu64 " us p99 %" PRIu64
	       " us median %" PRIu64 " us\n", n, io.lat_max / US, p99 / US,
	       lat[n / 2] / US);
	printf("# latency <100us: %" PRIu64 "\n# latency <500us: %" PRIu64
	       "\n# latency <1ms: %" PRIu64 "\n# latency <3ms: %" PRIu64
	       "\n# latency <6ms: %" PRIu64 "\n# latency >=6ms: %" PRIu64 "\n",
	       hist[0], hist[1], hist[2], hist[3], hist[4], hist[5]);
	CHECK(io.lat_max < 2 * SLICE);
	CHECK(p99 < SLICE);
	/* The hogs still share the rest evenly. */
	for (int i = 0; i < 4; i++)
		CHECK(rel_err(share(&hog[i], s.now),
			      (1.0 - share(&io, s.now)) / 4) < 0.02);
}

TEST(sleeper_gets_its_share)
{
	struct sim s;
	struct task hog, io;
	double got;

	sim_init(&s);
	task_init(&hog, CPU_BOUND, 0, 0, 0);
	sim_add(&s, &hog);
	task_init(&io, RUN_SLEEP, 0, 2 * MS, 2 * MS);
	sim_add(&s, &io);
	sim_run(&s, 10 * SEC);
	/* Unhindered it would run 2 ms of every 4: half the CPU. */
	got = share(&io, s.now) / 0.5;
	printf("# run 2ms / sleep 2ms vs hog: %.4f of demand, max latency %"
	       PRIu64 " us\n", got, io.lat_max / US);
	CHECK(got >= 0.95);
}

TEST(long_sleeper_cannot_hoard)
{
	struct sim s;
	struct task hog, sl;
	uint64_t before;

	sim_init(&s);
	task_init(&hog, CPU_BOUND, 0, 0, 0);
	task_init(&sl, CPU_BOUND, 0, 0, 0);
	sim_add(&s, &hog);
	sim_add(&s, &sl);
	sim_run(&s, 1 * SEC);
	sim_sleep(&s, &sl, 11 * SEC);
	sim_run(&s, 11 * SEC - 1);
	sl.max_stretch = 0;
	before = sl.se.runtime_ns;
	sim_run(&s, 12 * SEC);
	printf("# after a 10 s sleep: latency %" PRIu64 " us, first stretch %"
	       PRIu64 " us, share of next second %.4f\n", sl.lat_max / US,
	       sl.max_stretch / US, (double)(sl.se.runtime_ns - before) / SEC);
	/* Its credit is worth at most one slice at its deadline... */
	CHECK(sl.lat_max == 0);
	CHECK(sl.max_stretch <= 2 * SLICE);
	/* ...and not the 5 s it would have earned uncapped. */
	CHECK(sl.se.runtime_ns - before <= SEC / 2 + 2 * SLICE);
	CHECK(sl.se.runtime_ns - before >= SEC / 2 - 2 * SLICE);
}

TEST(yield_switches)
{
	struct sim s;
	struct task a, b, lone;

	sim_init(&s);
	task_init(&a, YIELDER, 0, 1 * US, 0);
	task_init(&b, YIELDER, 0, 1 * US, 0);
	sim_add(&s, &a);
	sim_add(&s, &b);
	sim_run(&s, 10 * MS);
	CHECK(s.switches >= 9990);
	for (int i = 0; i < s.ntrace; i++)
		CHECK_EQ(s.trace[i], i % 2);
	CHECK(a.se.runtime_ns + b.se.runtime_ns == 10 * MS);
	CHECK(a.se.runtime_ns - b.se.runtime_ns <= 1 * US);

	/* Alone, yielding gives the CPU back to itself. */
	sim_init(&s);
	task_init(&lone, YIELDER, 0, 1 * US, 0);
	sim_add(&s, &lone);
	sim_run(&s, 10 * MS);
	CHECK_EQ(s.switches, 1);
	CHECK_EQ(lone.se.runtime_ns, 10 * MS);
}

TEST(new_task_starts_at_V)
{
	struct sim s;
	struct task a, b, c;
	uint64_t v;

	sim_init(&s);
	task_init(&a, CPU_BOUND, 0, 0, 0);
	task_init(&b, CPU_BOUND, 0, 0, 0);
	sim_add(&s, &a);
	sim_add(&s, &b);
	sim_run(&s, 5 * SEC);
	v = sched_virtual_time(&s.q);
	task_init(&c, CPU_BOUND, 0, 0, 0);
	sim_add(&s, &c);
	CHECK_EQ(c.se.vruntime, v);
	CHECK_EQ(c.se.deadline, v + SLICE);
	sim_run(&s, 5 * SEC + 300 * MS);
	printf("# newcomer: first stretch %" PRIu64 " us, %" PRIu64
	       " ms of the next 300 ms\n", c.max_stretch / US,
	       c.se.runtime_ns / MS);
	CHECK(c.max_stretch <= SLICE);
	CHECK(c.se.runtime_ns <= 100 * MS + 2 * SLICE);
	CHECK(c.se.runtime_ns >= 100 * MS - 2 * SLICE);
}

TEST(nice_clamping_and_weights)
{
	struct sched_queue q;
	struct sched_entity e;

	sched_queue_init(&q);
	sched_entity_init(&e, -100);
	CHECK_EQ(e.nice, SCHED_NICE_MIN);
	CHECK_EQ(e.weight, 88818);
	sched_entity_init(&e, 100);
	CHECK_EQ(e.nice, SCHED_NICE_MAX);
	CHECK_EQ(e.weight, 15);
	sched_set_nice(&q, &e, -21);
	CHECK_EQ(e.nice, -20);
	CHECK_EQ(sched_nice_to_weight(0), 1024);
	/* Each step is 1.25x within rounding. */
	for (int n = SCHED_NICE_MIN; n < SCHED_NICE_MAX; n++) {
		uint32_t hi = sched_nice_to_weight(n);
		uint32_t lo = sched_nice_to_weight(n + 1);

		CHECK(hi * 4 >= lo * 5 - 5 * 4 && hi * 4 <= lo * 5 + 5 * 4);
	}
}

TEST(empty_queue_and_runtime_left)
{
	struct sched_queue q;
	struct sched_entity a;

	sched_queue_init(&q);
	CHECK(sched_pick(&q) == NULL);
	sched_entity_init(&a, 0);
	sched_enqueue(&q, &a);
	CHECK(sched_pick(&q) == &a);
	CHECK_EQ(sched_runtime_left(&q, &a), SLICE);
	sched_charge(&q, &a, SLICE - 10 * US);
	CHECK_EQ(sched_runtime_left(&q, &a), SCHED_MIN_RUN_NS);
	sched_charge(&q, &a, 10 * US);		/* request done: a new one */
	CHECK_EQ(sched_runtime_left(&q, &a), SLICE);
	CHECK_EQ(a.runtime_ns, SLICE);
	/* A heavy entity's request is the same real length. */
	sched_set_nice(&q, &a, -20);
	CHECK(sched_runtime_left(&q, &a) <= SLICE);
	CHECK(sched_runtime_left(&q, &a) >= SLICE - 100);
	sched_dequeue(&q, &a);
	CHECK(sched_pick(&q) == NULL);
	CHECK_EQ(q.count, 0);
	CHECK_EQ(sched_runtime_left(&q, &a), SCHED_MIN_RUN_NS);
	/* Double enqueue and dequeue are ignored. */
	sched_enqueue(&q, &a);
	sched_enqueue(&q, &a);
	CHECK_EQ(q.count, 1);
	sched_dequeue(&q, &a);
	sched_dequeue(&q, &a);
	CHECK_EQ(q.count, 0);
}

TEST(dequeue_enqueue_running)
{
	struct sched_queue q;
	struct sched_entity a, b;
	uint64_t v, V;

	sched_queue_init(&q);
	sched_entity_init(&a, 0);
	sched_entity_init(&b, 0);
	sched_enqueue(&q, &a);
	sched_enqueue(&q, &b);
	/* a runs 2 ms and blocks: charge, then dequeue. V = (2 + 0) / 2 ms,
	 * so a is 1 ms ahead. */
	sched_charge(&q, &a, 2 * MS);
	CHECK_EQ(sched_virtual_time(&q), 1 * MS);
	v = a.vruntime;
	V = sched_virtual_time(&q);
	sched_dequeue(&q, &a);
	CHECK_EQ(a.lag, -1 * (int64_t)MS);
	CHECK_EQ(sched_virtual_time(&q), 0);
	CHECK(sched_pick(&q) == &b);
	/* Straight back: same place, same V. */
	sched_enqueue(&q, &a);
	CHECK_EQ(a.vruntime, v);
	CHECK_EQ(sched_virtual_time(&q), V);
	CHECK(sched_pick(&q) == &b);	/* a is not eligible */

	/* Charged after it left: the time comes out of its lag. */
	sched_dequeue(&q, &a);
	sched_charge(&q, &a, 1 * MS);
	CHECK_EQ(a.lag, -2 * (int64_t)MS);
	CHECK_EQ(a.runtime_ns, 3 * MS);
}

TEST(reweight_keeps_lag)
{
	struct sched_queue q;
	struct sched_entity e[3];
	int64_t lag;
	uint64_t V;

	sched_queue_init(&q);
	for (int i = 0; i < 3; i++) {
		sched_entity_init(&e[i], 0);
		sched_enqueue(&q, &e[i]);
	}
	sched_charge(&q, &e[0], 3 * MS);
	sched_charge(&q, &e[1], 1 * MS);
	V = sched_virtual_time(&q);
	lag = (int64_t)(V - e[1].vruntime);	/* 1/3 ms behind */
	sched_set_nice(&q, &e[1], 10);
	/* Real-time lag w * (V - v) is kept and V does not move. */
	CHECK((int64_t)(sched_virtual_time(&q) - V) <= 1);
	CHECK((int64_t)(sched_virtual_time(&q) - V) >= -1);
	CHECK(rel_err((double)(int64_t)(V - e[1].vruntime) * e[1].weight,
		      (double)lag * 1024) < 0.001);
	CHECK(e[1].deadline - e[1].vruntime <= SLICE * 1024 / e[1].weight);
	/* While blocked the saved lag scales the same way. */
	sched_dequeue(&q, &e[1]);
	lag = e[1].lag;
	sched_set_nice(&q, &e[1], 0);
	CHECK_EQ(e[1].lag, lag * 110 / 1024);
}

/* 200 entities under random operations, starting just below the wrap of
 * virtual time: V is always the exact floor of the weighted average, lies
 * between the smallest and the largest vruntime, and the pick is an eligible
 * entity with no eligible one due earlier. */
TEST(many_entities_consistent)
{
	enum { N = 200 };
	static struct sched_entity e[N];
	struct sched_queue q;
	uint64_t rng = 88172645463325252ull;

	sched_queue_init(&q);
	q.vbase = (uint64_t)0 - 200 * MS;	/* private: start near the wrap */
	for (int i = 0; i < N; i++) {
		sched_entity_init(&e[i], i % 40 - 20);
		sched_enqueue(&q, &e[i]);
	}
	for (int step = 0; step < 20000; step++) {
		struct sched_entity *curr = sched_pick(&q), *best = NULL;
		uint64_t V = sched_virtual_time(&q), r;
		__int128 num = 0, wsum = 0;
		int64_t lo = INT64_MAX, hi = INT64_MIN;
		uint32_t count = 0;

		rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
		r = rng;
		for (int i = 0; i < N; i++) {
			int64_t d = (int64_t)(e[i].vruntime - V);

			if (!e[i].queued)
				continue;
			count++;
			num += (__int128)e[i].weight * d;
			wsum += e[i].weight;
			lo = d < lo ? d : lo;
			hi = d > hi ? d : hi;
			CHECK((int64_t)(e[i].deadline - e[i].vruntime) > 0);
			CHECK(e[i].deadline - e[i].vruntime <=
			      SLICE * 1024 / e[i].weight);
			if (d <= 0 && (best == NULL ||
			    (int64_t)(e[i].deadline - best->deadline) < 0))
				best = &e[i];
		}
		CHECK_EQ(count, q.count);
		if (count == 0) {
			CHECK(curr == NULL);
		} else {
			/* V - vbase's floor is 0: 0 <= num < wsum. */
			CHECK(num >= 0 && num < wsum);
			CHECK(lo <= 0 && hi >= 0);
			CHECK(curr != NULL && (int64_t)(curr->vruntime - V) <= 0);
			CHECK(curr->deadline == best->deadline);
		}
		switch (r % 8) {
		case 0:
			sched_dequeue(&q, &e[(r >> 8) % N]);
			break;
		case 1:
			sched_enqueue(&q, &e[(r >> 8) % N]);
			break;
		case 2:
			sched_set_nice(&q, &e[(r >> 8) % N],
				       (int)((r >> 16) % 40) - 20);
			break;
		case 3:
			if (curr != NULL)
				sched_yield(&q, curr);
			break;
		default:
			if (curr != NULL)
				sched_charge(&q, curr, (r >> 8) % (5 * MS));
			break;
		}
	}
}

/* An hour of CPU at both ends of the weight range, charged in coarse 10 ms
 * ticks so every request overshoots, with virtual time crossing the 2^64
 * wrap halfway: UBSan stays quiet and the shares are still right. */
TEST(long_run_without_overflow)
{
	static const int nice[3] = { -20, 0, 19 };
	struct sim s;
	struct task t[3];
	double wsum = 0;

	sim_init(&s);
	s.tick = 10 * MS;
	s.q.vbase = (uint64_t)0 - 20 * SEC;	/* private: cross the wrap */
	for (int i = 0; i < 3; i++) {
		task_init(&t[i], CPU_BOUND, nice[i], 0, 0);
		sim_add(&s, &t[i]);
		wsum += t[i].se.weight;
	}
	sim_run(&s, 3600 * SEC);
	CHECK(sched_virtual_time(&s.q) < 60 * SEC);	/* wrapped */
	for (int i = 0; i < 3; i++) {
		double want = t[i].se.weight / wsum;

		printf("# one hour: nice %d share %.6f want %.6f\n", nice[i],
		       share(&t[i], s.now), want);
		CHECK(rel_err(share(&t[i], s.now), want) < 0.03);
	}
}
