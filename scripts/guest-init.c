// SPDX-License-Identifier: GPL-2.0-only
/*
 * /init of npt's test guests, built static for each guest arch.
 *
 * Mounts the pseudo file systems, loads /npt.ko, then either runs every
 * /tests/npt_* selftest (npt_mode=test, the default) or the nptctl demo
 * session (npt_mode=run), checks for leaks, unloads the module and powers
 * off.  Lines starting with "npt-guest:" are read by scripts/guest.sh.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define TEST_DIR	"/tests"
/* Seconds per selftest binary: two fit in the guests' shortest limit. */
#define TEST_TIMEOUT	400
#define KMEMLEAK	"/sys/kernel/debug/kmemleak"

/* Where the module may expose its count of table pages still allocated. */
static const char *const live_pages_paths[] = {
	"/sys/module/npt/parameters/live_pages",
	"/sys/kernel/debug/npt/live_pages",
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("npt-guest: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n < 0 ? -1 : 0;
}

static void cat_file(const char *path, const char *prefix)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("%s%s", prefix, line);
	fclose(f);
	fflush(stdout);
}

static void mount_all(void)
{
	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	mkdir("/dev", 0755);
	mkdir("/tmp", 01777);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
}

static int insmod(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret ? -errno : 0;
}

static int rmmod(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/* Run argv[0] with a time limit; report how it ended. */
static void run(const char *label, char *const argv[], unsigned int timeout)
{
	int status = 0, waited = 0;
	pid_t pid;

	say("begin %s", label);
	pid = fork();
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (waited++ >= timeout * 10) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			say("end %s timeout", label);
			return;
		}
		usleep(100000);
	}
	if (WIFSIGNALED(status))
		say("end %s signal %d", label, WTERMSIG(status));
	else
		say("end %s exit %d", label, WEXITSTATUS(status));
}

static int is_test(const struct dirent *d)
{
	return !strncmp(d->d_name, "npt_", 4);
}

static void run_tests(void)
{
	struct dirent **names;
	char path[300];
	int n, i;

	chdir(TEST_DIR);
	n = scandir(TEST_DIR, &names, is_test, alphasort);
	for (i = 0; i < n; i++) {
		char *argv[] = { path, NULL };

		snprintf(path, sizeof(path), TEST_DIR "/%s", names[i]->d_name);
		run(names[i]->d_name, argv, TEST_TIMEOUT);
	}
	chdir("/");
}

static void show_module(void)
{
	struct dirent **names;
	struct stat st;
	char path[300];
	int n, i;

	if (!stat("/dev/npt", &st))
		say("/dev/npt: character device %u:%u",
		    major(st.st_rdev), minor(st.st_rdev));
	else
		say("/dev/npt: absent (%s)", strerror(errno));
	n = scandir("/sys/module/npt/parameters", &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/module/npt/parameters/%s",
			 names[i]->d_name);
		printf("npt-guest: parameter %s = ", names[i]->d_name);
		cat_file(path, "");
	}
}

static void run_demo(void)
{
	char *argv[] = { "/bin/nptctl", "-f", "/demo.npt", NULL };

	show_module();
	if (access(argv[0], X_OK) || access(argv[2], R_OK)) {
		say("no nptctl or demo session in this tree yet");
		return;
	}
	run("nptctl -f demo.npt", argv, TEST_TIMEOUT);
}

/* Print the kernel log lines that mention npt (run mode boots quiet). */
static void show_klog(void)
{
	int len = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf, *line;

	if (len <= 0)
		return;
	buf = calloc(1, len + 1);
	if (!buf)
		return;
	len = klogctl(3, buf, len);	/* SYSLOG_ACTION_READ_ALL */
	for (line = strtok(buf, "\n"); len > 0 && line; line = strtok(NULL, "\n"))
		if (strstr(line, "npt:"))
			printf("npt-guest: klog %s\n", line);
	free(buf);
	fflush(stdout);
}

/* kmemleak: objects older than 5 s are reported; scan twice to be sure. */
static void check_leaks(void)
{
	say("kmemleak: waiting and scanning");
	sleep(6);
	write_file(KMEMLEAK, "scan");
	sleep(1);
	write_file(KMEMLEAK, "scan");
	say("kmemleak begin");
	cat_file(KMEMLEAK, "kmemleak| ");
	say("kmemleak end");
}

static void show_live_pages(void)
{
	char buf[64];
	unsigned int i;
	FILE *f;

	for (i = 0; i < sizeof(live_pages_paths) / sizeof(*live_pages_paths); i++) {
		f = fopen(live_pages_paths[i], "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f))
			say("live_pages %ld %s", strtol(buf, NULL, 0),
			    live_pages_paths[i]);
		fclose(f);
		return;
	}
}

int main(void)
{
	const char *mode = getenv("npt_mode");
	int kmemleak, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	mount_all();
	kmemleak = !access(KMEMLEAK, W_OK);
	if (kmemleak)
		write_file(KMEMLEAK, "clear");
	say("start mode=%s", mode ? mode : "test");

	ret = insmod("/npt.ko");
	if (ret)
		say("insmod failed: %s", strerror(-ret));
	else
		say("insmod ok");

	if (mode && !strcmp(mode, "run"))
		run_demo();
	else
		run_tests();

	if (!ret && kmemleak)
		check_leaks();
	if (!ret)
		show_live_pages();
	if (!ret) {
		ret = rmmod("npt");
		if (ret)
			say("rmmod failed: %s", strerror(-ret));
		else
			say("rmmod ok");
	}
	if (mode && !strcmp(mode, "run"))
		show_klog();
	say("end");
	tcdrain(STDOUT_FILENO);
	sync();
	reboot(RB_AUTOBOOT);
	return 0;
}
