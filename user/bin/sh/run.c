/* Running a pipeline: one process per stage connected by channels, and a
 * last stage, /bin/render, that draws the records on the console (or
 * writes them to the redirection's file). In the foreground the first
 * stage still running is the console's foreground process, so Ctrl-C
 * stops it; the shell then stops the rest of the pipeline too. */
#include "shell.h"

#include "lib/bson.h"
#include "panda.h"

#define RENDER_PATH	"/bin/render"

void console_raw(const struct shell *sh, bool raw)
{
	uint8_t doc[64];
	struct bson_builder b;

	bson_build_init(&b, doc, sizeof(doc));
	bson_append_cstr(&b, "op", "mode");
	bson_append_bool(&b, "raw", raw);
	panda_send_doc(sh->console, doc, bson_build_finish(&b));
}

/* The console takes a handle of its own, so p is dup'd. */
void set_foreground(const struct shell *sh, panda_handle_t p)
{
	uint8_t doc[64];
	struct bson_builder b;
	panda_handle_t dup = 0;

	bson_build_init(&b, doc, sizeof(doc));
	bson_append_cstr(&b, "op", "foreground");
	struct panda_msg msg = { .data = doc, .size = (uint32_t)bson_build_finish(&b) };
	if (p) {
		long d = panda_dup(p, RIGHT_KILL | RIGHT_TRANSFER);
		if (d < 0)
			return;
		dup = (panda_handle_t)d;
		msg.handles = &dup;
		msg.handle_count = 1;
	}
	panda_send(sh->console, &msg, 0);
}

/* Starts one stage with its streams: a bare name runs /bin/NAME, a name
 * with a slash is a path (beneath the root or the working directory). */
static long start_stage(struct shell *sh, const struct sh_command *c, panda_handle_t in,
			panda_handle_t out, panda_handle_t text)
{
	const char *name = c->argv[0];
	char path[PANDA_PATH_MAX];
	char pwd[PANDA_PATH_MAX + 8];
	const char *env[] = { pwd, NULL };
	struct panda_named_handle extra[4];
	unsigned n = 0;

	if (strchr(name, '/'))
		strlcpy(path, name, sizeof(path));
	else
		snprintf(path, sizeof(path), "/bin/%s", name);
	snprintf(pwd, sizeof(pwd), "PWD=%s", sh->cwd_path);
	if (in)
		extra[n++] = (struct panda_named_handle){ "in", in };
	if (out)
		extra[n++] = (struct panda_named_handle){ "out", out };
	if (text)
		extra[n++] = (struct panda_named_handle){ "text", text };
	/* Only the power utilities get init's power handle. */
	panda_handle_t power = panda_handle_named("power");
	if (power && (strcmp(path, "/bin/poweroff") == 0 || strcmp(path, "/bin/reboot") == 0))
		extra[n++] = (struct panda_named_handle){ "power", power };

	struct panda_launch l = {
		.dir = path[0] == '/' ? sh->root : sh->cwd,
		.path = path,
		.argc = (int)c->argc,
		.argv = (const char *const *)c->argv,
		.standard = { [STARTUP_CONSOLE] = sh->child_console, [STARTUP_CWD] = sh->cwd },
		.extra = extra,
		.extra_count = n,
		.env = env,
	};
	long h = panda_launch(&l);
	if (h == -ENOENT && !strchr(name, '/'))
		eprintf("sh: %s: command not found\n", name);
	else if (h < 0)
		complain("sh", name, (int)h);
	return h;
}

static void close_all(panda_handle_t *h, unsigned count)
{
	for (unsigned i = 0; i < count; i++)
		if (h[i])
			panda_close(h[i]);
}

/* Starts every stage and the render stage; the job's processes, or
 * false with nothing left running. */
static bool start(struct shell *sh, const struct sh_pipeline *p, bool background,
		  struct job *job)
{
	panda_handle_t file = 0, first_in = 0;
	panda_handle_t ends[2];

	if (p->redirect) {
		uint32_t flags = OPEN_WRITE | OPEN_CREATE | (p->append ? OPEN_APPEND : OPEN_TRUNCATE);
		long f = panda_open(p->redirect[0] == '/' ? sh->root : sh->cwd, p->redirect, flags);
		if (f < 0) {
			complain("sh", p->redirect, (int)f);
			return false;
		}
		file = (panda_handle_t)f;
	}
	/* A background job reads an input that has already ended, not the
	 * console the shell is reading. */
	if (background) {
		if (panda_channel_create(ends) < 0) {
			eprintf("sh: cannot make a pipe\n");
			if (file)
				panda_close(file);
			return false;
		}
		panda_close(ends[0]);
		first_in = ends[1];
	}
	panda_handle_t in = first_in;
	bool ok = true;
	job->count = 0;
	for (unsigned i = 0; i <= p->count && ok; i++) {
		bool render = i == p->count;
		panda_handle_t out = 0;

		if (!render && panda_channel_create(ends) < 0) {
			eprintf("sh: cannot make a pipe\n");
			ok = false;
			break;
		}
		if (!render)
			out = ends[0];
		static const struct sh_command render_cmd = { 1, { RENDER_PATH, NULL } };
		long h = start_stage(sh, render ? &render_cmd : &p->stage[i], in, out,
				     render ? file : 0);
		if (in)
			panda_close(in);
		if (out)
			panda_close(out);
		in = render ? 0 : ends[1];
		if (h < 0) {
			ok = false;
			break;
		}
		job->proc[job->count++] = (panda_handle_t)h;
	}
	if (in)
		panda_close(in);
	if (file)
		panda_close(file);
	if (!ok) {
		for (unsigned i = 0; i < job->count; i++)
			panda_process_kill(job->proc[i]);
		close_all(job->proc, job->count);
		job->count = 0;
	}
	return ok;
}

/* Collects the processes of job that have ended; true when all have. */
static bool reap(struct job *job)
{
	bool all = true;

	for (unsigned i = 0; i < job->count; i++) {
		if (!job->proc[i])
			continue;
		if (panda_process_wait(job->proc[i], PANDA_DEADLINE_POLL, &job->status[i]) < 0) {
			all = false;
			continue;
		}
		panda_close(job->proc[i]);
		job->proc[i] = 0;
	}
	return all;
}

/* What the user hears about a finished job: the last command's status
 * (the render stage is the shell's own), or that a stage was stopped. */
static void describe(const struct job *job, char *buf, size_t size)
{
	const struct panda_exit_status *last = &job->status[job->count - 2];

	buf[0] = 0;
	for (unsigned i = 0; i < job->count; i++)
		if (job->status[i].how == EXIT_INTERRUPTED) {
			snprintf(buf, size, "interrupted");
			return;
		}
	if (last->how == EXIT_KILLED)
		snprintf(buf, size, "killed");
	else if (last->how == EXIT_FAULT)
		snprintf(buf, size, "crashed");
	else if (last->code != 0)
		snprintf(buf, size, "exit %d", last->code);
}

static void wait_foreground(struct shell *sh, struct job *job)
{
	panda_handle_t fg = 0;
	bool stopping = false;

	while (!reap(job)) {
		struct panda_wait_item items[JOB_PROCS];
		unsigned n = 0;
		bool interrupted = false;

		for (unsigned i = 0; i < job->count; i++) {
			interrupted |= !job->proc[i] && job->status[i].how == EXIT_INTERRUPTED;
			if (job->proc[i])
				items[n++] = (struct panda_wait_item){ .handle = job->proc[i],
								       .want = SIGNAL_EXITED };
		}
		if (interrupted && !stopping) {	/* Ctrl-C stopped one stage: stop them all */
			for (unsigned i = 0; i < n; i++)
				panda_process_kill(items[i].handle);
			stopping = true;
		}
		if (!stopping && items[0].handle != fg) {	/* the first stage still running */
			fg = items[0].handle;
			set_foreground(sh, fg);
		}
		panda_wait(items, n, PANDA_DEADLINE_NEVER);
	}
	set_foreground(sh, 0);
	char status[32];
	describe(job, status, sizeof(status));
	if (status[0])
		eprintf("[%s]\n", status);
}

void run_pipeline(struct shell *sh, const struct sh_pipeline *p, const char *line)
{
	struct job fg = { 0 };
	struct job *job = &fg;

	if (p->background) {
		job = NULL;
		for (unsigned i = 0; i < JOBS_MAX && !job; i++)
			if (!sh->jobs[i].number)
				job = &sh->jobs[i];
		if (!job) {
			eprintf("sh: too many background jobs (%d)\n", JOBS_MAX);
			return;
		}
	}
	if (!p->background)
		console_raw(sh, false);		/* programs read lines */
	if (start(sh, p, p->background, job)) {
		if (p->background) {
			job->number = ++sh->next_job;
			job->fresh = true;
			strlcpy(job->what, line, sizeof(job->what));
			eprintf("[%u] started\n", job->number);
		} else {
			wait_foreground(sh, job);
		}
	}
}

void jobs_report(struct shell *sh)
{
	for (unsigned i = 0; i < JOBS_MAX; i++) {
		struct job *job = &sh->jobs[i];
		char status[32];

		/* A job is reported at the earliest at the second prompt after
		 * it started, so "[N] started" always comes first and alone. */
		if (!job->number || job->fresh || !reap(job)) {
			job->fresh = false;
			continue;
		}
		describe(job, status, sizeof(status));
		eprintf("[%u] done%s%s%s  %s\n", job->number, status[0] ? " (" : "", status,
			status[0] ? ")" : "", job->what);
		job->number = 0;
	}
}

void jobs_list(struct shell *sh)
{
	jobs_report(sh);
	for (unsigned i = 0; i < JOBS_MAX; i++)
		if (sh->jobs[i].number)
			eprintf("[%u] running  %s\n", sh->jobs[i].number, sh->jobs[i].what);
}
