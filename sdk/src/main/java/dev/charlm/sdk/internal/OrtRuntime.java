package dev.charlm.sdk.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The process's ONNX Runtime environment, created once, on a thread whose stack is large enough
 * for ONNX Runtime's start-up. Every ONNX Runtime use in charlm goes through {@link
 * #environment()}.
 *
 * <p>Why a thread of its own: ONNX Runtime 1.29 added telemetry on Linux and macOS that runs
 * when the environment is created and matches the process's command line against {@code
 * std::regex} patterns. libstdc++'s regex executor recurses once per character, so on a JVM
 * thread's default 1 MB stack a command line longer than about 4 KB (a long class path is
 * enough) overflows it and the JVM dies with SIGSEGV, with no Java exception to catch. The
 * recursion needs roughly 300-450 bytes of stack per byte of command line (measured here: 69 KB
 * needs between 16 and 32 MB), so the environment is created on a thread with 64 MB plus 1 KB
 * per command-line byte; the stack is address space, touched only as deep as the recursion
 * goes. Once the environment exists, ONNX Runtime does not read the command line again, so
 * sessions are created and run on ordinary threads (tested with a 70 KB command line).
 *
 * <p>Telemetry events of the environment are switched off: an embedded library should not
 * report on its host application, and it keeps that code off the callers' threads. ONNX
 * Runtime still initialises its telemetry at start-up unless the process environment has
 * {@code ORT_DISABLE_TELEMETRY=1} (the launcher sets it; an environment variable cannot be set
 * from inside the JVM).
 */
public final class OrtRuntime {

    private static final long BASE_STACK_BYTES = 64L << 20;
    private static final long STACK_BYTES_PER_COMMAND_LINE_BYTE = 1024;
    private static final long MAX_STACK_BYTES = 4L << 30;
    private static final Object LOCK = new Object();
    private static volatile OrtEnvironment environment;

    private OrtRuntime() {}

    /** The shared environment; the first call creates it (on a large-stack thread). */
    public static OrtEnvironment environment() {
        OrtEnvironment env = environment;
        if (env != null) {
            return env;
        }
        synchronized (LOCK) {
            if (environment == null) {
                environment = create();
            }
            return environment;
        }
    }

    private static OrtEnvironment create() {
        AtomicReference<OrtEnvironment> created = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable init = () -> {
            try {
                OrtEnvironment env = OrtEnvironment.getEnvironment();
                try {
                    env.setTelemetry(false);
                } catch (OrtException e) {
                    // Telemetry is ONNX Runtime's business; the environment works without this.
                }
                created.set(env);
            } catch (Throwable t) {
                failure.set(t);
            }
        };
        long stack = stackBytes(commandLineBytes());
        Thread thread = null;
        // Address space for a large stack can be refused (32-bit, strict overcommit): try smaller.
        for (long size = stack; size >= BASE_STACK_BYTES && thread == null; size /= 2) {
            try {
                Thread t = new Thread(null, init, "charlm-onnxruntime-init", size);
                t.setDaemon(true);
                t.start();
                thread = t;
            } catch (OutOfMemoryError e) {
                // try a smaller stack
            }
        }
        if (thread == null) {
            init.run();
        } else {
            boolean interrupted = false;
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the environment is needed either way; finish creating it
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        if (t != null) {
            throw new IllegalStateException("ONNX Runtime could not start: " + t.getMessage(), t);
        }
        return created.get();
    }

    /** The stack the environment is created with, for a command line of {@code bytes} bytes. */
    static long stackBytes(long commandLineBytes) {
        return Math.min(MAX_STACK_BYTES, BASE_STACK_BYTES + STACK_BYTES_PER_COMMAND_LINE_BYTE * commandLineBytes);
    }

    /** The length of this process's command line, as ONNX Runtime reads it; 0 when unknown. */
    static long commandLineBytes() {
        Path cmdline = Path.of("/proc/self/cmdline");
        if (Files.isReadable(cmdline)) {
            try (InputStream in = Files.newInputStream(cmdline)) {
                long n = 0;
                byte[] buffer = new byte[8192];
                for (int r; (r = in.read(buffer)) > 0;) {
                    n += r;
                }
                return n;
            } catch (IOException e) {
                // fall through to the portable estimate
            }
        }
        return ProcessHandle.current().info().commandLine().map(String::length).orElse(0) * 4L;
    }
}
