/*
 * charlm's native launcher: runs the app on the Java runtime packaged beside it.
 *
 * Layout (relative to this executable): ../lib/runtime (the jlink runtime), ../lib/app (the
 * Quarkus fast-jar, ONNX Runtime's library in native/, the class-data archive charlm.jsa).
 *
 * Why not jpackage's launcher: at every start it asks rpm and dpkg which package owns it
 * (popen of "rpm -qf" and "dpkg -S", 0.45 s of a 1.3 s start measured here), and it cannot set
 * an environment variable, while ONNX Runtime 1.29 reads ORT_DISABLE_TELEMETRY from the
 * environment before any Java code runs. This one sets that variable (unless the caller did)
 * and replaces itself with the JVM: signals and the exit status are the JVM's own.
 *
 * Called as "charlm-archive-classes" (a link to this file), it records the class-data archive
 * in place instead: JDK 17 maps an archive only where the jars it was recorded from are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *joined(const char *a, const char *b) {
    char *s;
    if (asprintf(&s, "%s%s", a, b) < 0) {
        perror("charlm");
        exit(127);
    }
    return s;
}

int main(int argc, char **argv) {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0) {
        perror("charlm: cannot find itself (/proc/self/exe)");
        return 127;
    }
    self[n] = '\0';
    /* self is .../bin/charlm: the image is two levels up. */
    char *image = dirname(dirname(self));
    char *app = joined(image, "/lib/app");
    char *java = joined(image, "/lib/runtime/bin/java");

    const char *name = strrchr(argv[0], '/');
    name = name ? name + 1 : argv[0];
    int archiving = strcmp(name, "charlm-archive-classes") == 0;

    setenv("ORT_DISABLE_TELEMETRY", "1", 0);

    char **args = calloc((size_t) argc + 16, sizeof *args);
    if (!args) {
        perror("charlm");
        return 127;
    }
    int i = 0;
    args[i++] = java;
    args[i++] = "-Djava.awt.headless=true";
    args[i++] = joined("-Donnxruntime.native.path=", joined(app, "/native"));
    if (archiving) {
        args[i++] = joined("-XX:ArchiveClassesAtExit=", joined(app, "/charlm.jsa"));
    } else {
        args[i++] = "-Xshare:auto";
        args[i++] = joined("-XX:SharedArchiveFile=", joined(app, "/charlm.jsa"));
    }
    args[i++] = "-Xlog:cds=off";
    args[i++] = "-Xlog:cds+dynamic=off";
    /* Generation spends its time in ONNX Runtime; C1 alone starts faster and is enough there
       (as the checkout's ./charlm does). Scoring and serving keep C2. */
    if (archiving || (argc > 1 && strcmp(argv[1], "generate") == 0)) {
        args[i++] = "-XX:TieredStopAtLevel=1";
    }
    /* Quarkus's runner alone on the class path: its manifest names lib/boot, and lib/main
       belongs to Quarkus's own class loader. */
    args[i++] = "-cp";
    args[i++] = joined(app, "/quarkus-run.jar");
    args[i++] = "io.quarkus.bootstrap.runner.QuarkusEntryPoint";
    if (archiving) {
        args[i++] = "generate";
        args[i++] = "--length";
        args[i++] = "1";
    } else {
        for (int a = 1; a < argc; a++) {
            args[i++] = argv[a];
        }
    }
    args[i] = NULL;

    if (!archiving) {
        execv(java, args);
        fprintf(stderr, "charlm: cannot run %s: %s\n", java, strerror(errno));
        return 127;
    }
    /* Recording: one generated character, not shown; then say what was written. */
    char *archive = joined(app, "/charlm.jsa");
    unlink(archive);
    pid_t child = fork();
    if (child < 0) {
        perror("charlm-archive-classes");
        return 127;
    }
    if (child == 0) {
        if (!freopen("/dev/null", "w", stdout)) {
            _exit(127);
        }
        execv(java, args);
        fprintf(stderr, "charlm-archive-classes: cannot run %s: %s\n", java, strerror(errno));
        _exit(127);
    }
    int status;
    struct stat written;
    if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0
            || stat(archive, &written) != 0 || written.st_size == 0) {
        fprintf(stderr, "charlm-archive-classes: no archive written to %s; charlm starts without it\n", archive);
        return 1;
    }
    fprintf(stderr, "charlm-archive-classes: %s (%lld KB); charlm maps it while the image stays here\n",
            archive, (long long) written.st_size / 1024);
    return 0;
}
