package threadlocalrenderer;

import dev.kata.probe.api.Pitfalls;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import threadlocalrenderer.ReportExporter.Renderer;

/**
 * Hidden tests for the threadlocal-renderer kata. Each exporter gets a supplier of its own (a
 * "shop") that counts the renderers it builds and hands out renderers that notice misuse: two
 * exports at once, a use without reset(), a report of another exporter. The test can hold every
 * render until it lets them go, to see how many exports render at once; and it can make a build,
 * a reset or a render fail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReportExporterTest {

    @Test
    @Order(1)
    @DisplayName("2,000 requests, each on its own virtual thread, share at most maxRenderers (8) renderers")
    void rendererIsReusedAcrossRequests() throws Exception {
        new Run("the first scenario", new Scenario(8, 2_000, true, false, List.of(), false, false)).check();
    }

    @Test
    @Order(2)
    @DisplayName("six exports arrive together, maxRenderers 4: four render at once, each with a renderer of its own")
    void simultaneousExportsDoNotShareARenderer() throws Exception {
        new Run("the second scenario", new Scenario(4, 6, true, true, List.of(), false, false)).check();
    }

    @Test
    @Order(3)
    @DisplayName("seeded scenarios: maxRenderers 1-8, exports held or not, builds, resets and renders that fail,"
            + " an interrupted export, two exporters at once")
    void seededScenarios() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<Scenario> scenarios = new ArrayList<>();
        // Every run holds one of each kind; the seed draws the rest.
        scenarios.add(new Scenario(1, 3, true, true, List.of(), false, false));
        scenarios.add(new Scenario(2, 5, false, true, List.of(), true, false));
        for (int kind = 0; kind < 3; kind++) { // each failing stage with each kind of failure, in every run
            scenarios.add(new Scenario(1, 4, true, false, List.of(new Failure(Stage.BUILD, 1, kind)), false, false));
            scenarios.add(new Scenario(1, 4, true, false, List.of(new Failure(Stage.RENDER, 1, kind)), false, false));
            scenarios.add(new Scenario(2, 6, true, false, List.of(new Failure(Stage.RESET, 2, kind)), false, false));
            // The only build fails while the other exports already wait for a renderer: none will come back.
            scenarios.add(new Scenario(1, 3, true, false, List.of(new Failure(Stage.BUILD, 1, kind)), false, false,
                    true));
            scenarios.add(new Scenario(1, 2, false, false, List.of(new Failure(Stage.BUILD, 1, kind)), false, false,
                    true));
        }
        scenarios.add(new Scenario(3, 7, true, true, List.of(), false, true));
        // An export interrupted while the only renderer is still being built (slowly) by another.
        scenarios.add(new Scenario(1, 3, true, false, List.of(), true, false, true));
        for (int n = 0; n < 8; n++) {
            int cap = new int[] {1, 2, 3, 8}[random.nextInt(4)];
            int exports = new int[] {1, cap, cap + 1, 3 * cap + 2, 40}[random.nextInt(5)];
            boolean held = random.nextBoolean();
            List<Failure> failures = new ArrayList<>();
            if (!held) {
                for (int f = random.nextInt(4); f > 0; f--) {
                    failures.add(new Failure(Stage.values()[random.nextInt(3)], 1 + random.nextInt(exports),
                            failure(random)));
                }
            }
            boolean interrupt = held && exports > cap && random.nextBoolean();
            scenarios.add(new Scenario(cap, exports, random.nextBoolean(), held, failures, interrupt,
                    random.nextInt(3) == 0));
        }
        for (int n = 0; n < scenarios.size(); n++) {
            new Run("seed " + seed + ", scenario " + (n + 1), scenarios.get(n)).check();
        }
    }

    @Test
    @Order(4)
    @DisplayName("two exporters built with one and the same supplier: neither lends its renderers to the other")
    void exportersGivenTheSameSupplierShareNoRenderer() throws Exception {
        // A renderer remembers the exporter it first rendered for (a report id starts with its name).
        Map<Renderer, String> servedFirst = new ConcurrentHashMap<>();
        AtomicReference<String> lent = new AtomicReference<>();
        AtomicInteger serials = new AtomicInteger();
        java.util.function.Supplier<Renderer> oneSupplier = () -> new Renderer() {
            private final int serial = serials.incrementAndGet();

            @Override
            public void reset() {
            }

            @Override
            public byte[] render(String reportId) {
                int colon = reportId.indexOf(':');
                String exporter = reportId.substring(0, colon);
                String first = servedFirst.putIfAbsent(this, exporter);
                if (first != null && !first.equals(exporter)) {
                    lent.compareAndSet(null, "renderer #" + serial + " rendered " + exporter + "'s report "
                            + reportId.substring(colon + 1) + " after it had rendered for " + first);
                }
                return ("PDF:" + reportId).getBytes(StandardCharsets.UTF_8);
            }
        };
        ReportExporter a = new ReportExporter(oneSupplier, 2);
        ReportExporter b = new ReportExporter(oneSupplier, 2);
        for (int round = 1; round <= 3; round++) {
            for (ReportExporter exporter : List.of(a, b)) {
                String id = (exporter == a ? "exporter A" : "exporter B") + ":LAB-" + round;
                Thread t = Thread.ofVirtual().name("export-" + id).start(() -> {
                    try {
                        exporter.export(id);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                if (!t.join(java.time.Duration.ofSeconds(5))) {
                    throw Pitfalls.deadlock("The export of " + id + " had not returned after 5 s, with no other"
                            + " export running (two exporters, maxRenderers 2, one supplier for both).");
                }
            }
        }
        if (lent.get() != null) {
            throw Pitfalls.race("Two exporters were built with one and the same supplier, maxRenderers 2 each, and"
                    + " exported one report at a time, in turns: " + lent.get() + ". A renderer belongs to the"
                    + " exporter that built it, even when another exporter's supplier is the same object.");
        }
    }

    private static int failure(Random random) {
        return random.nextInt(3);
    }

    // ------------------------------------------------------------------ scenarios

    enum Stage { BUILD, RESET, RENDER }

    /** The {@code nth} call of a stage (per exporter, counting from 1) throws an exception of one kind. */
    record Failure(Stage stage, int nth, int kind) {
        Throwable newThrowable() {
            return switch (kind) {
                case 0 -> new IllegalStateException("font cache corrupt");
                case 1 -> new UncheckedIOException(new java.io.IOException("template not found"));
                default -> new NoClassDefFoundError("com/fonts/GlyphTable");
            };
        }

        String describe(String verb) {
            String which = switch (stage) {
                case BUILD -> "building a renderer";
                case RESET -> "reset";
                case RENDER -> "render";
            };
            String what = switch (kind) {
                case 0 -> "an IllegalStateException";
                case 1 -> "an UncheckedIOException";
                default -> "a NoClassDefFoundError";
            };
            return which + " call #" + nth + " " + verb + " " + what;
        }
    }

    /**
     * @param cap          maxRenderers
     * @param exports      exports started at once, per exporter
     * @param virtual      one virtual thread per export (else one platform thread per export)
     * @param held         every render waits until the test lets them go, once the exports have settled
     * @param failures     builds, resets or renders that throw
     * @param interruptOne interrupt one export that waits for a renderer while the renders (or the first
     *                     build) are held
     * @param twoExporters two exporters, with suppliers of their own, run the scenario at the same time
     * @param buildHeld    the first build waits until the other exports have settled (waiting for a renderer),
     *                     then goes on (and throws, if the failures say so)
     */
    record Scenario(int cap, int exports, boolean virtual, boolean held, List<Failure> failures, boolean interruptOne,
                    boolean twoExporters, boolean buildHeld) {

        Scenario(int cap, int exports, boolean virtual, boolean held, List<Failure> failures, boolean interruptOne,
                 boolean twoExporters) {
            this(cap, exports, virtual, held, failures, interruptOne, twoExporters, false);
        }

        String describe() {
            StringBuilder s = new StringBuilder("maxRenderers " + cap + ", " + String.format("%,d", exports)
                    + (exports == 1 ? " export" : " exports") + " at once on " + (virtual ? "virtual" : "platform")
                    + " threads" + (twoExporters ? " on each of two exporters" : ""));
            if (held) {
                s.append(", every render held until the exports had settled");
            }
            if (buildHeld) {
                s.append(", the first build held until the other exports were waiting");
            }
            for (Failure f : failures) {
                s.append(", ").append(f.describe(buildHeld && f.stage() == Stage.BUILD && f.nth() == 1 ? "then throws"
                        : "throws"));
            }
            if (interruptOne) {
                s.append(", then one export waiting for a renderer interrupted");
            }
            if (!failures.isEmpty() || interruptOne) {
                s.append(", then maxRenderers + 1 exports held together");
            }
            return s.toString();
        }
    }

    /**
     * The first misuse of any renderer seen during the current run, whichever exporter's supplier built it (a
     * renderer of an earlier run, kept by a pool that outlived its exporter, reports here too).
     */
    private static final AtomicReference<String> MISUSE = new AtomicReference<>();
    private static final AtomicInteger RUNS = new AtomicInteger();

    /** The supplier of one exporter: builds renderers, counts them, and fails when told to. */
    private static final class Shop {
        final String name;
        /** Makes this run's report ids differ from any earlier run's. */
        final int run = RUNS.incrementAndGet();
        final Scenario scenario;
        final AtomicInteger buildCalls = new AtomicInteger();
        final AtomicInteger built = new AtomicInteger();
        final AtomicInteger resetCalls = new AtomicInteger();
        final AtomicInteger renderCalls = new AtomicInteger();
        final AtomicInteger rendering = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        final Set<String> rendered = ConcurrentHashMap.newKeySet();
        /** The report ids of this shop's exporter's exports. */
        final Set<String> ids = ConcurrentHashMap.newKeySet();
        /** Failures thrown so far, by identity. */
        final Set<Throwable> thrown = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        /** This shop's own exception for each failure of the scenario. */
        final Map<Failure, Throwable> failures = new IdentityHashMap<>();
        volatile CountDownLatch gate;
        /** Holds the first build while set (Scenario.buildHeld). */
        volatile CountDownLatch buildGate;
        /** The export in the held first build, not one waiting for a renderer. */
        volatile Thread heldBuilder;
        /** Failures happen only while armed: not in the check that follows a scenario with failures. */
        volatile boolean armed = true;

        Shop(String name, Scenario scenario) {
            this.name = name;
            this.scenario = scenario;
            scenario.failures().forEach(f -> failures.put(f, f.newThrowable()));
        }

        Renderer build() {
            int call = buildCalls.incrementAndGet();
            CountDownLatch hold = buildGate;
            if (hold != null && call == 1) {
                heldBuilder = Thread.currentThread();
                try {
                    hold.await(3, TimeUnit.SECONDS); // held: the test lets it go once the others wait
                } catch (InterruptedException e) {
                    throw new IllegalStateException("the test interrupted a held build", e);
                }
            }
            failIfTold(Stage.BUILD, call);
            return new TestRenderer(this, built.incrementAndGet());
        }

        void failIfTold(Stage stage, int call) {
            if (!armed) {
                return;
            }
            for (Failure f : scenario.failures()) {
                if (f.stage() == stage && f.nth() == call) {
                    Throwable t = failures.get(f);
                    thrown.add(t);
                    throw ReportExporterTest.<RuntimeException>sneaky(t);
                }
            }
        }

        void misuse(String what) {
            MISUSE.compareAndSet(null, what);
        }
    }

    /** A renderer that is not thread-safe, and says so when it is misused. */
    private static final class TestRenderer implements Renderer {
        private final Shop owner;
        private final int serial;
        private final AtomicBoolean busy = new AtomicBoolean();
        private volatile boolean clean;
        private volatile boolean used;

        TestRenderer(Shop owner, int serial) {
            this.owner = owner;
            this.serial = serial;
        }

        @Override
        public void reset() {
            if (busy.get()) {
                owner.misuse("one export reset renderer #" + serial + " of " + owner.name
                        + " while another export was rendering with it");
            }
            owner.failIfTold(Stage.RESET, owner.resetCalls.incrementAndGet());
            clean = true;
        }

        @Override
        public byte[] render(String reportId) {
            if (!busy.compareAndSet(false, true)) {
                owner.misuse("two exports rendered with renderer #" + serial + " of " + owner.name + " at the same time");
            }
            try {
                if (!owner.ids.contains(reportId)) {
                    owner.misuse("the export of " + reportId + " rendered with renderer #" + serial + ", built by the"
                            + " supplier of another exporter (an earlier one, or the other one running at the same"
                            + " time)");
                }
                if (!clean) {
                    owner.misuse("renderer #" + serial + " of " + owner.name + (used
                            ? " was used again without reset() since its last render"
                            : " rendered for the first time without a reset() (one fresh from the supplier too)"));
                }
                clean = false;
                used = true;
                owner.rendering.incrementAndGet();
                owner.rendered.add(reportId);
                try {
                    CountDownLatch gate = owner.gate;
                    if (gate != null) {
                        gate.await(3, TimeUnit.SECONDS); // held: the test lets it go
                    }
                    owner.failIfTold(Stage.RENDER, owner.renderCalls.incrementAndGet());
                    return ("PDF:" + reportId).getBytes(StandardCharsets.UTF_8);
                } finally {
                    owner.rendering.decrementAndGet();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException("the test interrupted a held render", e);
            } finally {
                busy.set(false);
            }
        }
    }

    /** One scenario run on one or two exporters: threads, observations, then the checks. */
    private static final class Run {
        private static final long SETTLE_DEADLINE_MS = 1500;
        private static final long INTERRUPT_GRACE_MS = 1000;
        private static final long STALL_MS = 1000;

        private final String where;
        private final Scenario s;
        private final List<Shop> shops = new ArrayList<>();
        private final List<ReportExporter> exporters = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();
        private final List<String> ids = new ArrayList<>();
        private final List<Shop> shopOf = new ArrayList<>();
        private final Map<String, Object> outcomes = new ConcurrentHashMap<>();

        // observations
        private Map<Shop, Integer> renderingAtHold = new IdentityHashMap<>();
        private Map<Shop, Integer> renderingAtHealth = new IdentityHashMap<>();
        private int interrupted = -1;
        private boolean interruptedStillInside;
        private String stuck;
        private boolean healthPhase;

        Run(String where, Scenario scenario) {
            this.where = where;
            this.s = scenario;
        }

        private String scenario() {
            return "(" + where + ": " + s.describe() + ")";
        }

        void check() throws Exception {
            MISUSE.set(null);
            try {
                execute();
            } finally {
                cleanUp();
            }
            verify();
        }

        private void execute() throws Exception {
            for (String name : s.twoExporters() ? List.of("exporter A", "exporter B") : List.of("exporter A")) {
                Shop shop = new Shop(name, s);
                shops.add(shop);
                try {
                    exporters.add(new ReportExporter(shop::build, s.cap()));
                } catch (Throwable t) {
                    throw new AssertionError("new ReportExporter(supplier, " + s.cap() + ") threw " + describe(t)
                            + " " + scenario() + ".", t);
                }
                if (s.held()) {
                    shop.gate = new CountDownLatch(1);
                }
                if (s.buildHeld()) {
                    shop.buildGate = new CountDownLatch(1);
                }
            }
            for (int i = 0; i < s.exports(); i++) {
                for (int e = 0; e < shops.size(); e++) {
                    start(e, shops.get(e).name + ":LAB-" + (i + 1) + "/r" + shops.get(e).run);
                }
            }
            if (s.held()) {
                renderingAtHold = settle();
                if (s.interruptOne() && renderingAtHold != null) {
                    interruptAWaitingExport();
                    // Before the renders go on: an export let in by the interrupt (a permit given back
                    // that was never taken) finds no renderer idle, and shows itself by building one.
                    settle();
                }
                shops.forEach(shop -> shop.gate.countDown());
            }
            if (s.buildHeld()) {
                settle(); // one export in the first build, the others waiting for a renderer (or done)
                if (s.interruptOne()) {
                    interruptAWaitingExport(); // waiting behind a build, not a render
                }
                shops.forEach(shop -> shop.buildGate.countDown());
            }
            if (!awaitAll()) {
                return;
            }
            if (!s.failures().isEmpty() || s.interruptOne()) {
                // Whatever failed before, maxRenderers exports arriving together must all render at once, and
                // one more must wait: a failure may neither lose a renderer nor let an export too many in.
                healthPhase = true;
                for (Shop shop : shops) {
                    shop.armed = false;
                    shop.gate = new CountDownLatch(1);
                }
                for (int i = 0; i < s.cap() + 1; i++) {
                    for (int e = 0; e < shops.size(); e++) {
                        start(e, shops.get(e).name + ":CHECK-" + (i + 1) + "/r" + shops.get(e).run);
                    }
                }
                renderingAtHealth = settle();
                shops.forEach(shop -> shop.gate.countDown());
                awaitAll();
            }
        }

        private void start(int exporter, String id) {
            ReportExporter exporterToUse = exporters.get(exporter);
            Shop shop = shops.get(exporter);
            Runnable task = () -> {
                Object outcome;
                try {
                    outcome = exporterToUse.export(id);
                } catch (Throwable t) {
                    outcome = t;
                }
                outcomes.put(id, outcome);
                shop.finished.incrementAndGet();
            };
            ids.add(id);
            shopOf.add(shop);
            shop.ids.add(id);
            String name = "export-" + id;
            threads.add(s.virtual() ? Thread.ofVirtual().name(name).start(task)
                    : Thread.ofPlatform().name(name).start(task));
        }

        /**
         * Waits until every export has ended or sits still (rendering, held, or waiting), then counts the exports
         * rendering; null if they never sat still (a machine this busy): then nothing is measured this time.
         */
        private Map<Shop, Integer> settle() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_DEADLINE_MS);
            while (true) {
                if (System.nanoTime() > deadline) {
                    return null;
                }
                if (!quiet()) {
                    Thread.sleep(1);
                    continue;
                }
                long before = progress();
                Thread.sleep(10);
                if (quiet() && progress() == before) {
                    break;
                }
            }
            Map<Shop, Integer> counts = new IdentityHashMap<>();
            shops.forEach(shop -> counts.put(shop, shop.rendering.get()));
            return counts;
        }

        /** Changes whenever an export starts or ends a render, finishes, or a renderer is built. */
        private long progress() {
            long sum = 0;
            for (Shop shop : shops) {
                sum += shop.renderCalls.get() + shop.rendered.size() + ((long) shop.finished.get() << 20)
                        + ((long) shop.built.get() << 40);
            }
            return sum;
        }

        private boolean quiet() {
            for (Thread t : threads) {
                Thread.State state = t.getState();
                if (state == Thread.State.RUNNABLE || state == Thread.State.NEW) {
                    return false;
                }
            }
            return true;
        }

        private void interruptAWaitingExport() throws InterruptedException {
            for (int i = 0; i < threads.size(); i++) {
                Thread t = threads.get(i);
                if (t.isAlive() && !shopOf.get(i).rendered.contains(ids.get(i)) && t != shopOf.get(i).heldBuilder) {
                    interrupted = i;
                    t.interrupt();
                    t.join(INTERRUPT_GRACE_MS);
                    interruptedStillInside = t.isAlive();
                    return;
                }
            }
        }

        /** Waits for every export to end, for as long as exports keep finishing, and STALL_MS more. */
        private boolean awaitAll() throws InterruptedException {
            long seen = -1;
            long lastProgress = System.nanoTime();
            while (true) {
                int alive = 0;
                for (Thread t : threads) {
                    if (t.isAlive()) {
                        alive++;
                    }
                }
                if (alive == 0) {
                    return true;
                }
                long now = progress();
                if (now != seen) {
                    seen = now;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > TimeUnit.MILLISECONDS.toNanos(STALL_MS)) {
                    int built = shops.stream().mapToInt(shop -> shop.built.get()).sum();
                    int rendering = shops.stream().mapToInt(shop -> shop.rendering.get()).sum();
                    stuck = alive + " of " + threads.size() + " exports had not returned " + STALL_MS + " ms after the"
                            + " last export finished, with " + built + (built == 1 ? " renderer" : " renderers")
                            + " built and " + rendering + " rendering";
                    return false;
                }
                Thread.sleep(2);
            }
        }

        /** Leaves no thread behind, whatever the exporter did, so that a failure is reported as itself. */
        private void cleanUp() throws InterruptedException {
            for (Shop shop : shops) {
                CountDownLatch gate = shop.gate;
                if (gate != null) {
                    gate.countDown();
                }
                CountDownLatch buildGate = shop.buildGate;
                if (buildGate != null) {
                    buildGate.countDown();
                }
            }
            for (Thread t : threads) {
                if (t.isAlive()) {
                    t.interrupt();
                    t.join(200);
                }
            }
        }

        // -------------------------------------------------------------- checks

        private void verify() {
            {
                String misuse = MISUSE.get();
                if (misuse != null) {
                    throw Pitfalls.race("A renderer is not thread-safe and belongs to the exporter that built it, but "
                            + misuse + " " + scenario() + ". Each export needs a renderer of its own exporter that"
                            + " nobody else uses until it is given back, reset before each use.");
                }
            }
            if (interrupted >= 0) {
                String id = ids.get(interrupted);
                Object outcome = outcomes.get(id);
                if (interruptedStillInside) {
                    throw new AssertionError("The export of " + id + " was interrupted while it waited for a renderer"
                            + (s.buildHeld() ? " (the only one still being built by another export)"
                                    : " (every renderer held by another export)") + ", and " + INTERRUPT_GRACE_MS
                            + " ms later it had"
                            + " neither returned nor thrown " + scenario() + ". An export interrupted while it waits"
                            + " must throw InterruptedException at once.");
                }
                if (!(outcome instanceof InterruptedException)) {
                    throw new AssertionError("The export of " + id + " was interrupted while it waited for a renderer,"
                            + " and it " + (outcome instanceof Throwable t ? "threw " + describe(t)
                            : "returned a PDF") + " instead of throwing InterruptedException " + scenario() + ".");
                }
                if (shopOf.get(interrupted).rendered.contains(id)) {
                    throw new AssertionError("The export of " + id + " threw InterruptedException, but it had rendered"
                            + " its report all the same " + scenario() + ".");
                }
            }
            if (stuck != null) {
                throw Pitfalls.deadlock(stuck + (healthPhase ? ", when " + (s.cap() + 1) + " exports arrived after the"
                        + " earlier ones had ended" : "") + " " + scenario() + ". An export waits only while"
                        + " maxRenderers others hold a renderer"
                        + (s.failures().isEmpty() ? "" : ", and a failed build, reset or render must leave the"
                        + " exporter able to lend (or build) maxRenderers renderers") + ".");
            }
            verifyOutcomes();
            if (healthPhase && renderingAtHealth != null) {
                for (Shop shop : shops) {
                    int atOnce = renderingAtHealth.getOrDefault(shop, 0);
                    if (atOnce > s.cap()) {
                        int built = shop.built.get();
                        throw Pitfalls.resourceLeak((s.cap() + 1) + " exports of " + shop.name + " arrived together"
                                + " after the earlier exports had ended" + (s.failures().isEmpty()
                                ? " (one of them interrupted)" : " (some failing)") + ", and " + atOnce + " rendered"
                                + " at the same time, with maxRenderers = " + s.cap() + "; its supplier had built "
                                + built + (built == 1 ? " renderer" : " renderers") + " " + scenario() + ". Whatever"
                                + " failed or was interrupted before, at most maxRenderers exports hold a renderer at"
                                + " once and the others wait: count what each failed export gives back (a slot given"
                                + " back twice lets one export too many in).");
                    }
                }
            }
            for (Shop shop : shops) {
                int built = shop.built.get();
                if (built > s.cap()) {
                    int exports = (int) shopOf.stream().filter(x -> x == shop).count();
                    boolean onePerExport = built >= exports - shop.thrown.size();
                    throw Pitfalls.resourceLeak(String.format("%,d", built) + " renderers were built by " + shop.name
                            + "'s supplier for " + String.format("%,d", exports) + " exports, with maxRenderers = "
                            + s.cap() + " " + scenario() + ". Each one loads the fonts and allocates a large buffer."
                            + (onePerExport ? " Every export built a renderer of its own. A per-thread cache pays off"
                            + " when a few pooled threads live for hours; every request here runs on a fresh thread"
                            + " that lives for one export, so a ThreadLocal holds exactly one use. Share the expensive"
                            + " objects through a small pool that lends one to each export and takes it back (Go's"
                            + " sync.Pool plays this part)." : " Never build more than maxRenderers in all: when that"
                            + " many exist, an export waits for one to come back"
                            + (s.failures().isEmpty() ? "." : " (a renderer whose reset or render threw is still a"
                            + " renderer to give back; a build that threw does not count).")));
                }
            }
            for (Shop shop : shops) {
                if (s.held() && renderingAtHold != null) {
                    checkTogether(shop, renderingAtHold.getOrDefault(shop, 0), s.exports(), "");
                }
                if (healthPhase && renderingAtHealth != null) {
                    checkTogether(shop, renderingAtHealth.getOrDefault(shop, 0), s.cap() + 1, ", after the earlier"
                            + " exports had ended" + (s.failures().isEmpty() ? " (one of them interrupted)"
                            : " (some failing)"));
                }
            }
        }

        private void checkTogether(Shop shop, int atOnce, int arrived, String when) {
            if (atOnce < Math.min(arrived, s.cap())) {
                throw Pitfalls.timeout(arrived + " exports of " + shop.name + " arrived together" + when + ", but "
                        + atOnce + " rendered at a time, with maxRenderers = " + s.cap() + " " + scenario()
                        + ": the others waited while fewer than maxRenderers exports were rendering. Up to"
                        + " maxRenderers exports render at the same time; funnelled through one renderer behind a"
                        + " lock, every report waits for all the others.");
            }
        }

        /** Each export returned its own PDF, or threw the one failure its build, reset or render threw. */
        private void verifyOutcomes() {
            Map<Throwable, String> reachedCaller = new IdentityHashMap<>();
            for (int i = 0; i < ids.size(); i++) {
                if (i == interrupted) {
                    continue;
                }
                String id = ids.get(i);
                Object outcome = outcomes.get(id);
                Shop shop = shopOf.get(i);
                if (outcome instanceof byte[] pdf) {
                    String text = new String(pdf, StandardCharsets.UTF_8);
                    if (!text.equals("PDF:" + id)) {
                        throw Pitfalls.race("The export of " + id + " returned \"" + text + "\" " + scenario()
                                + ": another report's PDF.");
                    }
                    if (!shop.rendered.contains(id)) {
                        throw Pitfalls.race("The export of " + id + " returned its PDF, but no renderer built by "
                                + shop.name + "'s supplier rendered it " + scenario() + ": the exporter lent a"
                                + " renderer built elsewhere (by the supplier of an exporter created before it, or"
                                + " of the other one). Each exporter keeps its own renderers.");
                    }
                } else if (outcome instanceof Throwable t) {
                    if (!shop.thrown.contains(t)) {
                        throw new AssertionError("The export of " + id + " threw " + describe(t) + ", which no"
                                + " build, reset or render threw " + scenario() + ".", t);
                    }
                    if (reachedCaller.put(t, id) != null) {
                        throw new AssertionError("One failure, " + describe(t) + ", was thrown to two exports ("
                                + reachedCaller.get(t) + " and " + id + ") " + scenario() + ".");
                    }
                } else {
                    throw new AssertionError("The export of " + id + " returned " + outcome + " " + scenario() + ".");
                }
            }
            for (Shop shop : shops) {
                List<Throwable> thrownByShop;
                synchronized (shop.thrown) {
                    thrownByShop = new ArrayList<>(shop.thrown);
                }
                for (Throwable t : thrownByShop) {
                    if (!reachedCaller.containsKey(t)) {
                        Failure f = s.failures().stream().filter(x -> shop.failures.get(x) == t).findFirst()
                                .orElseThrow();
                        throw new AssertionError("When " + f.describe("threw") + " ("
                                + shop.name + "), no export threw it: every export returned a PDF or another failure "
                                + scenario() + ". The caller of the export whose build, reset or render failed must"
                                + " get that exception as it is.");
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " (\"" + t.getMessage() + "\")");
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
