package dev.kata.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How busy the machine is: the kernel's CPU pressure ({@code /proc/pressure/cpu}: for how long
 * some runnable thread, anyone's, was kept waiting for a CPU) and the load average. Read at the
 * start and at the end of a stretch of time, it tells a limit reached on a saturated machine from
 * one reached by slow code. Used by the probe and by the grader; readings that Linux does not
 * offer are left unknown (negative).
 *
 * @param atNanos     when it was read ({@link System#nanoTime()})
 * @param stallMicros the kernel's running total of microseconds with some thread waiting for a CPU, or -1
 * @param load        the one-minute load average, or -1
 * @param cores       the processors this JVM may use
 */
public record MachineLoad(long atNanos, long stallMicros, double load, int cores) {
    private static final Path PRESSURE = Path.of("/proc/pressure/cpu");
    private static final Path LOADAVG = Path.of("/proc/loadavg");
    /** Above this share of time with someone waiting for a CPU, the machine counts as saturated. */
    private static final double SATURATED_STALL = 0.5;

    public static MachineLoad now() {
        return new MachineLoad(System.nanoTime(), readStallMicros(), readLoad(), Runtime.getRuntime().availableProcessors());
    }

    /** The share of the time since {@code earlier} during which some thread waited for a CPU, or -1. */
    public double stalledSince(MachineLoad earlier) {
        long wallMicros = (atNanos - earlier.atNanos) / 1000;
        if (stallMicros < 0 || earlier.stallMicros < 0 || wallMicros <= 0) {
            return -1;
        }
        return Math.min(1.0, (stallMicros - earlier.stallMicros) / (double) wallMicros);
    }

    /** Whether the machine was saturated since {@code earlier}: by CPU pressure where known, else by load. */
    public boolean saturatedSince(MachineLoad earlier) {
        double stalled = stalledSince(earlier);
        if (stalled >= 0) {
            return stalled >= SATURATED_STALL;
        }
        return load >= 1.5 * cores;
    }

    /** "load 12.1 on 2 cores, a thread kept waiting for a CPU 97% of the time", as far as known. */
    public String describeSince(MachineLoad earlier) {
        StringBuilder s = new StringBuilder();
        if (load >= 0) {
            s.append(String.format(Locale.ROOT, "load %.1f on %d %s", load, cores, cores == 1 ? "core" : "cores"));
        } else {
            s.append(cores).append(cores == 1 ? " core" : " cores");
        }
        double stalled = stalledSince(earlier);
        if (stalled >= 0) {
            s.append(String.format(Locale.ROOT, ", some thread waiting for a CPU %.0f%% of the time", 100 * stalled));
        }
        return s.toString();
    }

    private static long readStallMicros() {
        try {
            for (String line : Files.readAllLines(PRESSURE)) {
                if (line.startsWith("some ")) {
                    int at = line.indexOf("total=");
                    return at < 0 ? -1 : Long.parseLong(line.substring(at + 6).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            // no pressure stall information here
        }
        return -1;
    }

    private static double readLoad() {
        try {
            String text = Files.readString(LOADAVG);
            return Double.parseDouble(text.substring(0, text.indexOf(' ')));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
