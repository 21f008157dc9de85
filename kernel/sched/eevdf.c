/* EEVDF policy; see eevdf.h for the model.
 *
 * Virtual times are uint64_t and wrap; they are only ever compared through
 * signed differences (vdiff), which is exact as long as the entities of a
 * queue stay within 2^63 virtual ns of each other. Lags are bounded by about
 * a slice and a single charge is capped (CHARGE_MAX_NS), so the spread of a
 * queue is many orders of magnitude below that.
 *
 * V is kept exactly, without rounding drift: the queue stores vbase and
 * avg_frac = sum of w_i * (v_i - vbase) with V = vbase + avg_frac / W (W the
 * sum of weights). After every change the integer part of the quotient is
 * moved into vbase, leaving 0 <= avg_frac < W, so vbase = floor(V) and
 * "v_i <= V" is exactly "v_i <= vbase" for integer v_i. Intermediates use
 * __int128; the one 128-by-64 division is written out (div128) because the
 * kernel links without libgcc.
 *
 * The queue is a circular list and pick is a linear scan: with tens of
 * threads that is cheaper than keeping a tree balanced. The upgrade path is
 * the paper's tree ordered by vruntime and augmented with the minimum
 * deadline of each subtree, which makes pick O(log n). */
#include "sched/eevdf.h"

/* No charge moves time by more than this (about 18 minutes): a longer one
 * means a stopped clock, and the cap keeps every virtual difference far
 * from 2^63. runtime_ns still gets the full amount. */
#define CHARGE_MAX_NS	(1ull << 40)

/* weight(nice) = round(1024 / 1.25^nice): each nice step is about 25% more
 * or less CPU against an entity at a neighbouring level. */
static const uint32_t nice_weight[SCHED_NICE_MAX - SCHED_NICE_MIN + 1] = {
	/* -20 */ 88818, 71054, 56843, 45475, 36380,
	/* -15 */ 29104, 23283, 18626, 14901, 11921,
	/* -10 */  9537,  7629,  6104,  4883,  3906,
	/*  -5 */  3125,  2500,  2000,  1600,  1280,
	/*   0 */  1024,   819,   655,   524,   419,
	/*   5 */   336,   268,   215,   172,   137,
	/*  10 */   110,    88,    70,    56,    45,
	/*  15 */    36,    29,    23,    18,    15,
};

static int64_t vdiff(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b);
}

static int clamp_nice(int nice)
{
	if (nice < SCHED_NICE_MIN)
		return SCHED_NICE_MIN;
	if (nice > SCHED_NICE_MAX)
		return SCHED_NICE_MAX;
	return nice;
}

uint32_t sched_nice_to_weight(int nice)
{
	return nice_weight[clamp_nice(nice) - SCHED_NICE_MIN];
}

static int64_t clamp_s64(__int128 x, int64_t lo, int64_t hi)
{
	if (x < lo)
		return lo;
	if (x > hi)
		return hi;
	return (int64_t)x;
}

/* n / d rounded down, saturating at UINT64_MAX; d > 0. Long division when
 * n does not fit in 64 bits, which only the rare large case needs. */
static uint64_t div128(unsigned __int128 n, uint64_t d)
{
	uint64_t hi = (uint64_t)(n >> 64), lo = (uint64_t)n, q = 0;

	if (hi == 0)
		return lo / d;
	if (hi >= d)
		return UINT64_MAX;
	/* Invariant: hi < d, so each quotient bit is 0 or 1. */
	for (int i = 0; i < 64; i++) {
		bool carry = hi >> 63;

		hi = hi << 1 | lo >> 63;
		lo <<= 1;
		q <<= 1;
		if (carry || hi >= d) {
			hi -= d;
			q |= 1;
		}
	}
	return q;
}

/* x * mul / div rounded toward zero, saturating; div > 0. */
static int64_t scale(int64_t x, uint64_t mul, uint64_t div)
{
	uint64_t mag = x < 0 ? -(uint64_t)x : (uint64_t)x;
	uint64_t r = div128((unsigned __int128)mag * mul, div);

	if (r > INT64_MAX)
		r = INT64_MAX;
	return x < 0 ? -(int64_t)r : (int64_t)r;
}

/* Virtual length of one request: SCHED_SLICE_NS of CPU at se's weight. */
static uint64_t vslice(const struct sched_entity *se)
{
	return SCHED_SLICE_NS * SCHED_WEIGHT_NICE0 / se->weight;
}

/* Turns ns of CPU into virtual ns at se's weight. The remainder is carried
 * in vrem, so many short charges add up to exactly one long one. */
static uint64_t to_virtual(struct sched_entity *se, uint64_t ns)
{
	uint64_t scaled;

	if (ns > CHARGE_MAX_NS)
		ns = CHARGE_MAX_NS;
	scaled = ns * SCHED_WEIGHT_NICE0 + se->vrem;
	se->vrem = (uint32_t)(scaled % se->weight);
	return scaled / se->weight;
}

/* Stores num = sum of w_i * (v_i - vbase) back into the queue, moving its
 * whole part into vbase so that 0 <= avg_frac < weight_sum again. */
static void set_avg(struct sched_queue *q, __int128 num)
{
	uint64_t w = q->weight_sum;
	int64_t k;

	if (w == 0) {
		/* Empty: V stays where it was, for the next entity. */
		q->avg_frac = 0;
		return;
	}
	if (num >= 0)
		k = (int64_t)div128((unsigned __int128)num, w);
	else
		k = -(int64_t)div128((unsigned __int128)(-num) + w - 1, w);
	q->vbase += (uint64_t)k;
	q->avg_frac = (uint64_t)(num - (__int128)k * w);
}

static __int128 avg_term(const struct sched_queue *q, uint64_t v, uint32_t w)
{
	return (__int128)w * vdiff(v, q->vbase);
}

void sched_queue_init(struct sched_queue *q)
{
	list_init(&q->entities);
	q->count = 0;
	q->vbase = 0;
	q->avg_frac = 0;
	q->weight_sum = 0;
}

void sched_entity_init(struct sched_entity *se, int nice)
{
	list_init(&se->link);
	se->vruntime = se->deadline = 0;
	se->lag = 0;
	se->nice = clamp_nice(nice);
	se->weight = sched_nice_to_weight(se->nice);
	se->queued = false;
	se->runtime_ns = 0;
	se->vrem = 0;
	se->slept = false;
	se->vleft = 0;
}

uint64_t sched_virtual_time(const struct sched_queue *q)
{
	return q->vbase;
}

/* The lag se returns with: what it had when it left, plus what it would
 * have earned had it waited in the queue without running (V moving on;
 * with W of others and w its own, its lag grows by dV * W / (W + w)).
 * Sleeping thus pays off a debt and earns a little credit, like time spent
 * waiting for the CPU, but both are capped at one slice: a long sleeper
 * cannot hoard credit, nor a thread that overran its share bank a debt
 * forever. */
static int64_t wake_lag(const struct sched_queue *q,
			const struct sched_entity *se)
{
	int64_t dv = vdiff(q->vbase, se->vleft), limit = (int64_t)vslice(se);
	__int128 lag = se->lag;

	if (dv > 0)
		lag += div128((unsigned __int128)dv * q->weight_sum,
			      q->weight_sum + se->weight);
	return clamp_s64(lag, -limit, limit);
}

void sched_enqueue(struct sched_queue *q, struct sched_entity *se)
{
	uint64_t W = q->weight_sum;

	if (se->queued)
		return;
	if (!se->slept || W == 0) {
		/* New, or alone: there is no one to be behind or ahead of. */
		se->vruntime = q->vbase;
	} else {
		/* Joining at V - lag pulls V toward se by w / (W + w) of
		 * the lag; placing it (W + w) / W times further out leaves it
		 * with exactly the lag it returns with, and makes a dequeue
		 * followed by an enqueue change nothing. */
		int64_t lag = wake_lag(q, se);

		lag = scale(lag, W + se->weight, W);
		se->vruntime = q->vbase - (uint64_t)lag;
	}
	se->deadline = se->vruntime + vslice(se);
	se->lag = 0;
	se->queued = true;
	list_add_tail(&q->entities, &se->link);
	q->count++;
	q->weight_sum += se->weight;
	set_avg(q, q->avg_frac + avg_term(q, se->vruntime, se->weight));
}

void sched_dequeue(struct sched_queue *q, struct sched_entity *se)
{
	if (!se->queued)
		return;
	se->lag = vdiff(q->vbase, se->vruntime);
	se->queued = false;
	list_del(&se->link);
	q->count--;
	q->weight_sum -= se->weight;
	set_avg(q, q->avg_frac - avg_term(q, se->vruntime, se->weight));
	se->slept = true;
	se->vleft = q->vbase;
}

void sched_charge(struct sched_queue *q, struct sched_entity *se, uint64_t ns)
{
	uint64_t dv;

	se->runtime_ns += ns;
	dv = to_virtual(se, ns);
	if (!se->queued) {
		/* Ran after it left: the time comes out of the lag it keeps,
		 * in full (charged while queued it would have cost a little
		 * less, dv * (1 - w / W), as V moves along with it). */
		se->lag = clamp_s64((__int128)se->lag - dv, INT64_MIN, INT64_MAX);
		return;
	}
	se->vruntime += dv;
	set_avg(q, q->avg_frac + (__int128)se->weight * dv);
	if (vdiff(se->vruntime, se->deadline) >= 0) {
		/* The request is served: the next one starts where it ended
		 * (the paper's back-to-back requests), unless a late charge
		 * overshot it as well, which must not leave a stale deadline
		 * behind. */
		se->deadline += vslice(se);
		if (vdiff(se->vruntime, se->deadline) >= 0)
			se->deadline = se->vruntime + vslice(se);
	}
}

void sched_yield(struct sched_queue *q, struct sched_entity *se)
{
	(void)q;
	if (se->queued)
		se->deadline = se->vruntime + vslice(se);
}

static bool due_before(const struct sched_entity *a,
		       const struct sched_entity *b)
{
	int64_t d = vdiff(a->deadline, b->deadline);

	return d < 0 || (d == 0 && vdiff(a->vruntime, b->vruntime) < 0);
}

/* Earliest deadline among the eligible (v <= V, i.e. lag >= 0); ties go to
 * the smaller vruntime, then to queue order. Some entity always has v <= V
 * because V is an exact average and vbase its floor; the smallest vruntime
 * is kept as the answer should that ever fail, so a broken invariant costs
 * fairness rather than a NULL. */
struct sched_entity *sched_pick(struct sched_queue *q)
{
	struct sched_entity *best = NULL, *least = NULL;

	list_for_each(pos, &q->entities) {
		struct sched_entity *se = list_entry(pos, struct sched_entity, link);
		if (least == NULL || vdiff(se->vruntime, least->vruntime) < 0)
			least = se;
		if (vdiff(se->vruntime, q->vbase) <= 0 &&
		    (best == NULL || due_before(se, best)))
			best = se;
	}
	return best != NULL ? best : least;
}

uint64_t sched_runtime_left(const struct sched_queue *q,
			    const struct sched_entity *curr)
{
	int64_t dv = vdiff(curr->deadline, curr->vruntime);
	unsigned __int128 need;
	uint64_t ns;

	(void)q;
	if (!curr->queued || dv <= 0)
		return SCHED_MIN_RUN_NS;
	/* Smallest ns with (ns * 1024 + vrem) / w >= dv, see to_virtual. */
	need = (unsigned __int128)dv * curr->weight - curr->vrem;
	need = (need + SCHED_WEIGHT_NICE0 - 1) >> 10;	/* / 1024 */
	ns = need > UINT64_MAX ? UINT64_MAX : (uint64_t)need;
	return ns < SCHED_MIN_RUN_NS ? SCHED_MIN_RUN_NS : ns;
}

void sched_set_nice(struct sched_queue *q, struct sched_entity *se, int nice)
{
	uint32_t w_old = se->weight, w_new;
	int64_t lag, left;
	uint64_t v_old;

	se->nice = clamp_nice(nice);
	w_new = sched_nice_to_weight(se->nice);
	if (w_new == w_old)
		return;
	se->weight = w_new;
	se->vrem = 0;
	if (!se->queued) {
		/* Lag in real time is w * (V - v): keep that. */
		se->lag = scale(se->lag, w_old, w_new);
		return;
	}
	/* Keeping w * (V - v) also keeps sum of w_i * (V - v_i) = 0, so V
	 * does not move (up to rounding); the rest of the request keeps its
	 * real length. */
	v_old = se->vruntime;
	lag = scale(vdiff(q->vbase, v_old), w_old, w_new);
	left = scale(vdiff(se->deadline, v_old), w_old, w_new);
	if (left <= 0)		/* rounded away: the request is done */
		left = (int64_t)vslice(se);
	se->vruntime = q->vbase - (uint64_t)lag;
	se->deadline = se->vruntime + (uint64_t)left;
	q->weight_sum = q->weight_sum - w_old + w_new;
	set_avg(q, q->avg_frac - avg_term(q, v_old, w_old) +
		avg_term(q, se->vruntime, w_new));
}
