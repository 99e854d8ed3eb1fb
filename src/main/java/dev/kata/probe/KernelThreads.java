package dev.kata.probe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's view of this JVM's threads, read from Linux's {@code /proc/self/task}: whether each
 * one is asleep, how many times it has been given a CPU, and how long it has waited for one.
 *
 * <p>Java's own thread state cannot tell a parked thread from one that has just been unparked: both
 * read WAITING until the woken thread gets a CPU, which on a busy machine takes long. The kernel
 * marks a woken thread runnable at once, and counts every time a thread runs, so a thread that is
 * asleep at two looks with the same count in between slept throughout.
 *
 * <p>HotSpot names each thread's task after the Java thread (cut to 15 bytes; the main thread's is
 * {@code java}), which is how a Java thread is matched to its tasks. A cut name may match several
 * tasks; all of them then have to be asleep.
 */
final class KernelThreads {
    private static final Path TASKS = Path.of("/proc/self/task");
    private static final int NAME_BYTES = 15;

    /**
     * One task: its id, scheduler state letter ({@code R}, {@code S}, {@code D}...), times run,
     * nanoseconds on a CPU and nanoseconds runnable but waiting for one.
     */
    record Task(int tid, char state, long runs, long cpuNanos, long cpuWaitNanos) {
        boolean asleep() {
            return state == 'S';
        }
    }

    /** What the kernel says of one Java thread. */
    enum Word { ASLEEP, AWAKE, UNKNOWN }

    /** A thread's tasks as seen at one moment: {@code runs} is their summed run count. */
    record View(Word word, long runs) {
    }

    private final Map<String, List<Task>> byName;

    private KernelThreads(Map<String, List<Task>> byName) {
        this.byName = byName;
    }

    /** The tasks of this JVM now, or null where {@code /proc} cannot be read (not Linux, or hidden). */
    static KernelThreads read() {
        if (!Files.isDirectory(TASKS)) {
            return null;
        }
        Map<String, List<Task>> byName = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                Task t = task(task);
                if (t != null) {
                    String comm = new String(Files.readAllBytes(task.resolve("comm")), StandardCharsets.ISO_8859_1).strip();
                    byName.computeIfAbsent(comm, k -> new ArrayList<>()).add(t);
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return new KernelThreads(byName);
    }

    /** For tests: a view made of given tasks. */
    static KernelThreads of(Map<String, List<Task>> byName) {
        return new KernelThreads(byName);
    }

    private static Task task(Path dir) {
        try {
            String stat = Files.readString(dir.resolve("stat"));
            int close = stat.lastIndexOf(')');
            if (close < 0 || close + 2 >= stat.length()) {
                return null;
            }
            char state = stat.charAt(close + 2);
            int tid = Integer.parseInt(dir.getFileName().toString());
            String[] sched = Files.readString(dir.resolve("schedstat")).strip().split(" ");
            if (sched.length < 3) {
                return new Task(tid, state, -1, 0, 0);
            }
            return new Task(tid, state, Long.parseLong(sched[2]), Long.parseLong(sched[0]), Long.parseLong(sched[1]));
        } catch (IOException | RuntimeException e) {
            // the task ended while being read, or schedstat is not compiled in
            return null;
        }
    }

    /** What the kernel says of the thread named {@code javaName}. */
    View of(String javaName) {
        List<Task> tasks = tasksOf(javaName);
        if (tasks.isEmpty()) {
            return new View(Word.UNKNOWN, -1);
        }
        long runs = 0;
        for (Task t : tasks) {
            if (!t.asleep()) {
                return new View(Word.AWAKE, -1);
            }
            if (t.runs() < 0) {
                return new View(Word.UNKNOWN, -1);
            }
            runs += t.runs();
        }
        return new View(Word.ASLEEP, runs);
    }

    /** The tasks that may be the thread named {@code javaName}. */
    List<Task> tasksOf(String javaName) {
        List<Task> tasks = new ArrayList<>(byName.getOrDefault(taskName(javaName), List.of()));
        if (javaName.equals("main")) {
            tasks.addAll(byName.getOrDefault("java", List.of()));
        }
        return tasks;
    }

    /** Every task, with its name. */
    void forEach(java.util.function.BiConsumer<String, Task> action) {
        byName.forEach((name, tasks) -> tasks.forEach(t -> action.accept(name, t)));
    }

    /** Every task, by id. */
    Map<Integer, Task> byTid() {
        Map<Integer, Task> out = new HashMap<>();
        byName.values().forEach(list -> list.forEach(t -> out.put(t.tid(), t)));
        return out;
    }

    /** The task name HotSpot gives a thread: its name's first 15 bytes of UTF-8. */
    static String taskName(String javaName) {
        byte[] bytes = javaName.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(bytes.length, NAME_BYTES);
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
    }
}
