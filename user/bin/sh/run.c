/* Running a pipeline: one process per stage connected by channels, and a
 * last stage, /bin/render, that draws the records on the console (or
 * writes them to the redirection's file). In the foreground the first
 * stage still running is the console's foreground process, so Ctrl-C
 * stops it; the shell then stops the rest of the pipeline too. */
#include "shell.h"

#include "lib/align.h"
#include "lib/bson.h"
#include "lib/elf.h"
#include "lib/path.h"
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

/* What one process of a pipeline gets: its words and streams. */
struct stage {
	char *const *argv;
	unsigned argc;
	char *const *assign;		/* NAME=value for its environment only */
	unsigned assign_count;
	panda_handle_t in, out, text, err;
};

/* Where a bare command name is looked for, in order: Panda's programs,
 * then the Linux ones (Debian's busybox: `busybox APPLET`). */
static const char *const search_dirs[] = { "/bin", "/posix/bin" };

/* The program a stage runs. */
struct program {
	char path[PANDA_PATH_MAX];
	panda_handle_t dir;		/* what path is beneath: sh->root or sh->cwd */
	bool is_linux;			/* a static ELF without the Panda mark */
};

/* Opens the program to see which kind it is: 0, or why it cannot be read
 * (a file that is no executable at all is left for spawn to refuse). */
static long examine(struct program *prog)
{
	static uint8_t head[ELF_HEAD_READ];
	struct panda_stat st;
	struct elf_image img;
	long f = panda_open(prog->dir, prog->path, OPEN_READ);

	if (f < 0)
		return f;
	long n = panda_read((panda_handle_t)f, head, sizeof(head));
	bool read = n >= 0 && panda_fstat((panda_handle_t)f, &st) >= 0;
	panda_close((panda_handle_t)f);
	prog->is_linux = read && elf_parse_head(head, (size_t)n, st.size, 0, UINT64_MAX, &img) == 0 &&
			 !img.native;
	return 0;
}

/* A bare name is looked for in search_dirs; a name with a slash is a path
 * beneath the root or the working directory. 0, or -ENOENT and the like. */
static long find_program(const struct shell *sh, const char *name, struct program *prog)
{
	/* A relative path that climbs above the working directory goes
	 * from the root (the kernel refuses a climb through a handle). */
	bool from_root = name[0] == '/' || !strchr(name, '/') ||
			 path_climbs(name, strlen(name));

	prog->dir = from_root ? sh->root : sh->cwd;
	if (strchr(name, '/')) {
		if (!from_root)
			strlcpy(prog->path, name, sizeof(prog->path));
		else if (!sh_normalize(sh->cwd_path, name, prog->path))
			return -ENAMETOOLONG;
		return examine(prog);
	}
	long rc = -ENOENT;
	for (size_t i = 0; i < ARRAY_SIZE(search_dirs) && rc == -ENOENT; i++) {
		snprintf(prog->path, sizeof(prog->path), "%s/%s", search_dirs[i], name);
		rc = examine(prog);
	}
	return rc;
}

/* Starts one stage, running prog, with its streams. */
static long start_stage(struct shell *sh, const struct stage *st, const struct program *prog)
{
	const char *path = prog->path;
	struct panda_named_handle extra[5];
	unsigned n = 0;

	if (st->in)
		extra[n++] = (struct panda_named_handle){ "in", st->in };
	if (st->out)
		extra[n++] = (struct panda_named_handle){ "out", st->out };
	if (st->text)
		extra[n++] = (struct panda_named_handle){ "text", st->text };
	if (st->err)
		extra[n++] = (struct panda_named_handle){ "err", st->err };
	/* Only the power utilities get init's power handle. */
	panda_handle_t power = panda_handle_named("power");
	if (power && (strcmp(path, "/bin/poweroff") == 0 || strcmp(path, "/bin/reboot") == 0))
		extra[n++] = (struct panda_named_handle){ "power", power };

	char **env = vars_environ(&sh->vars, st->assign, st->assign_count);
	if (!env) {
		eprintf("sh: out of memory\n");
		return -ENOMEM;
	}
	struct panda_launch l = {
		.dir = prog->dir,
		.path = path,
		.argc = (int)st->argc,
		.argv = (const char *const *)st->argv,
		.standard = { [STARTUP_CONSOLE] = sh->child_console, [STARTUP_CWD] = sh->cwd },
		.extra = extra,
		.extra_count = n,
		.env = (const char *const *)env,
	};
	long h = panda_launch(&l);
	free(env);
	if (h < 0)
		complain("sh", st->argv[0], (int)h);
	return h;
}

static void close_all(panda_handle_t *h, unsigned count)
{
	for (unsigned i = 0; i < count; i++)
		if (h[i])
			panda_close(h[i]);
}

/* Opens a redirection's file: the handle, or 0 after saying why not. */
static panda_handle_t open_target(const struct shell *sh, const char *path, uint32_t flags)
{
	char abs[PANDA_PATH_MAX];

	if (!sh_normalize(sh->cwd_path, path, abs)) {
		complain("sh", path, -ENAMETOOLONG);
		return 0;
	}
	long f = panda_open(sh->root, abs, flags);
	if (f < 0) {
		complain("sh", path, (int)f);
		return 0;
	}
	return (panda_handle_t)f;
}

static uint32_t write_flags(bool append)
{
	return OPEN_WRITE | OPEN_CREATE | (append ? OPEN_APPEND : OPEN_TRUNCATE);
}

/* Everything a pipeline's start holds until its processes have it. */
struct start {
	struct job *job;
	panda_handle_t in;		/* the next stage's input (a channel's end) */
	panda_handle_t file;		/* > file, for the last stage */
	bool done;			/* the last stage has started */
	bool ok;
};

/* Where a stage's output goes. */
enum output {
	TO_NEXT,	/* a new channel, which becomes s->in */
	TO_RENDER,	/* the render stage: the console, or s->file as text */
	TO_TERMINAL,	/* a Linux program ending the pipeline: its bytes go
			 * straight to the console (a terminal, so an
			 * interactive program can tell), or to s->file */
};

/* Starts one process reading s->in, its output going where `to` says. */
static void start_one(struct shell *sh, struct start *s, struct stage *st,
		      const struct program *prog, enum output to, bool errors_to_out)
{
	panda_handle_t ends[2] = { 0, 0 };

	if (to == TO_NEXT && panda_channel_create(ends) < 0) {
		eprintf("sh: cannot make a pipe\n");
		s->ok = false;
		return;
	}
	st->in = s->in;
	st->out = to == TO_NEXT ? ends[0] : to == TO_TERMINAL ? s->file : 0;
	st->text = to == TO_RENDER ? s->file : 0;
	if (to == TO_TERMINAL)
		s->file = 0;			/* st->out has it now */
	if (errors_to_out)
		st->err = st->out;
	long h = start_stage(sh, st, prog);
	if (s->in)
		panda_close(s->in);
	if (st->out)
		panda_close(st->out);
	s->in = ends[1];
	if (to != TO_NEXT)
		s->done = true;
	if (h < 0) {
		s->ok = false;
		return;
	}
	s->job->proc[s->job->count++] = (panda_handle_t)h;
}

/* Starts the program a fixed path names (the shell's own helpers). */
static void start_helper(struct shell *sh, struct start *s, char **argv, int argc,
			 enum output to)
{
	struct stage st = { .argv = argv, .argc = (unsigned)argc };
	struct program prog;
	long rc = find_program(sh, argv[0], &prog);

	if (rc < 0) {
		complain("sh", argv[0], (int)rc);
		s->ok = false;
		return;
	}
	start_one(sh, s, &st, &prog, to, false);
}

/* The stages of command c: a feeder for < file, then c itself. */
static void start_command(struct shell *sh, struct start *s, const struct sh_command *c,
			  bool last)
{
	struct words words;
	panda_handle_t err = 0;

	if (c->input) {
		panda_handle_t check = open_target(sh, c->input, OPEN_READ);
		if (!check) {
			s->ok = false;
			return;
		}
		panda_close(check);
		/* < file is cat file |: the file's lines become text records. */
		char *cat[] = { "/bin/cat", c->input, NULL };
		start_helper(sh, s, cat, 2, TO_NEXT);
		if (!s->ok)
			return;
	}
	if (c->errors && !(err = open_target(sh, c->errors, write_flags(c->errors_append)))) {
		s->ok = false;
		return;
	}
	if (expand_command(sh, c, &words) < 0) {
		s->ok = false;
	} else {
		struct stage st = { .argv = words.v, .argc = words.count, .assign = c->assign,
				    .assign_count = c->assign_count, .err = err };
		struct program prog;
		long rc = find_program(sh, st.argv[0], &prog);
		if (rc == -ENOENT && !strchr(st.argv[0], '/')) {
			eprintf("sh: %s: command not found\n", st.argv[0]);
			sh->status = STATUS_NOT_FOUND;
			s->ok = false;
		} else if (rc < 0) {
			complain("sh", st.argv[0], (int)rc);
			s->ok = false;
		} else {
			start_one(sh, s, &st, &prog, last && prog.is_linux ? TO_TERMINAL : TO_NEXT,
				  c->errors_to_out);
			s->job->last = s->job->count - 1;
		}
		words_free(&words);
	}
	if (err)
		panda_close(err);
}

/* Starts every stage and the render stage; the job's processes, or
 * false with nothing left running. */
static bool start(struct shell *sh, const struct sh_pipeline *p, bool background,
		  struct job *job)
{
	struct start s = { .job = job, .ok = true };
	panda_handle_t ends[2];

	job->count = 0;
	if (p->redirect && !(s.file = open_target(sh, p->redirect, write_flags(p->append))))
		return false;
	/* A background job reads an input that has already ended, not the
	 * console the shell is reading. */
	if (background) {
		if (panda_channel_create(ends) < 0) {
			eprintf("sh: cannot make a pipe\n");
			s.ok = false;
		} else {
			panda_close(ends[0]);
			s.in = ends[1];
		}
	}
	for (unsigned i = 0; i < p->count && s.ok; i++)
		start_command(sh, &s, &p->stage[i], i + 1 == p->count);
	if (s.ok && !s.done) {
		char *render[] = { RENDER_PATH, NULL };
		start_helper(sh, &s, render, 1, TO_RENDER);
	}
	if (s.in)
		panda_close(s.in);
	if (s.file)
		panda_close(s.file);
	if (!s.ok) {
		for (unsigned i = 0; i < job->count; i++)
			panda_process_kill(job->proc[i]);
		close_all(job->proc, job->count);
		job->count = 0;
	}
	return s.ok;
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

/* How a finished job ended, as $? says it: the last command's status
 * (the render stage is the shell's own), or that a stage was stopped. */
static int job_status(const struct job *job)
{
	const struct panda_exit_status *last = &job->status[job->last];

	for (unsigned i = 0; i < job->count; i++)
		if (job->status[i].how == EXIT_INTERRUPTED)
			return STATUS_INTERRUPTED;
	if (last->how == EXIT_KILLED)
		return STATUS_KILLED;
	if (last->how == EXIT_FAULT)
		return STATUS_CRASHED;
	return last->code;
}

/* What the user hears about it: nothing for 0. */
static void describe(int status, char *buf, size_t size)
{
	buf[0] = 0;
	if (status == STATUS_INTERRUPTED)
		snprintf(buf, size, "interrupted");
	else if (status == STATUS_KILLED)
		snprintf(buf, size, "killed");
	else if (status == STATUS_CRASHED)
		snprintf(buf, size, "crashed");
	else if (status != 0)
		snprintf(buf, size, "exit %d", status);
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
		if (n == 0)
			break;			/* reap() saw one running: cannot happen */
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
	sh->status = job_status(job);
	char status[32];
	describe(sh->status, status, sizeof(status));
	if (status[0] && sh->interactive && !sh->status_tested)
		eprintf("[%s]\n", status);
}

void run_pipeline(struct shell *sh, const struct sh_pipeline *p, bool background,
		  const char *line)
{
	struct job fg = { 0 };
	struct job *job = &fg;

	if (background) {
		job = NULL;
		for (unsigned i = 0; i < JOBS_MAX && !job; i++)
			if (!sh->jobs[i].number)
				job = &sh->jobs[i];
		if (!job) {
			eprintf("sh: too many background jobs (%d)\n", JOBS_MAX);
			sh->status = 1;
			return;
		}
	}
	if (!background && sh->interactive)
		console_raw(sh, false);		/* programs read lines */
	sh->status = 1;			/* unless start says 127 */
	if (!start(sh, p, background, job))
		return;
	if (!background) {
		wait_foreground(sh, job);
		return;
	}
	job->number = ++sh->next_job;
	job->fresh = true;
	snprintf(job->what, sizeof(job->what), "%s &", line);
	if (sh->interactive)
		eprintf("[%u] started\n", job->number);
	sh->status = 0;
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
		describe(job_status(job), status, sizeof(status));
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

int job_foreground(struct shell *sh, unsigned number)
{
	struct job *job = NULL;

	for (unsigned i = 0; i < JOBS_MAX; i++) {
		struct job *j = &sh->jobs[i];
		if (j->number && (number ? j->number == number : !job || j->number > job->number))
			job = j;
	}
	if (!job) {
		if (number)
			eprintf("sh: fg: no job %u\n", number);
		else
			eprintf("sh: fg: no background job\n");
		return 1;
	}
	eprintf("%s\n", job->what);
	console_raw(sh, false);
	wait_foreground(sh, job);
	job->number = 0;
	return sh->status;
}

int job_kill(struct shell *sh, unsigned number)
{
	for (unsigned i = 0; i < JOBS_MAX; i++) {
		struct job *job = &sh->jobs[i];
		if (!job->number || job->number != number)
			continue;
		/* Last stage first: a stage whose writer died first could see
		 * a clean end of stream and exit 0 before its own kill. */
		for (unsigned j = job->count; j-- > 0;)
			if (job->proc[j])
				panda_process_kill(job->proc[j]);
		return 0;
	}
	return -ENOENT;
}
