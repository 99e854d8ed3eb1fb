package dev.kata.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kata.probe.Interleaving.Kind;
import dev.kata.probe.Interleaving.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two threads that both take {@code source.lock} hold different locks: the cycle names each by its account. */
class LockNamesTest {
    @TempDir
    Path dir;

    @Test
    void eachThreadsLockIsNamedByTheObjectItsVariableHeld() throws IOException {
        Path ledger = dir.resolve("Ledger.java");
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 110; i++) {
            lines.add("");
        }
        lines.set(68, "        Account source = account(from);");
        lines.set(69, "        Account target = account(to);");
        lines.set(72, "        source.lock.lock();");
        lines.set(79, "            target.lock.lock();");
        lines.set(103, "        return accounts.get(id);");
        Files.write(ledger, lines);

        List<Step> steps = List.of(
                new Step(1, Kind.CALL, null, "transfer(\"alice\", \"bob\", 2500)", false),
                new Step(1, Kind.STEP, "Ledger.java:69", "account(\"alice\"): Account#1", false),
                new Step(1, Kind.STEP, "Ledger.java:104", "accounts.get(\"alice\"): Account#1", false),
                new Step(1, Kind.STEP, "Ledger.java:70", "account(\"bob\"): Account#2", false),
                new Step(1, Kind.STEP, "Ledger.java:104", "accounts.get(\"bob\"): Account#2", false),
                new Step(1, Kind.STEP, "Ledger.java:73", "source.lock.lock()", false),
                new Step(1, Kind.SWITCH, null, "switch", true),
                new Step(2, Kind.CALL, null, "transfer(\"bob\", \"alice\", 1000)", false),
                new Step(2, Kind.STEP, "Ledger.java:69", "account(\"bob\"): Account#2", false),
                new Step(2, Kind.STEP, "Ledger.java:70", "account(\"alice\"): Account#1", false),
                new Step(2, Kind.STEP, "Ledger.java:73", "source.lock.lock()", false),
                new Step(2, Kind.STEP, "Ledger.java:80", "target.lock.lock()", false),
                new Step(2, Kind.SWITCH, null, "switch", false),
                new Step(1, Kind.STEP, "Ledger.java:80", "target.lock.lock()", false));
        Interleaving interleaving = new Interleaving(List.of("test", "thread 1", "thread 2"), steps);

        List<ModelCheckedDeadlock.Link> cycle = ModelCheckedDeadlock.cycle(interleaving, new LearnerSources(List.of(ledger)));

        assertEquals(List.of(
                new ModelCheckedDeadlock.Link("thread 1", List.of("accounts[\"alice\"].lock (taken at Ledger.java:73)"),
                        "accounts[\"bob\"].lock (at Ledger.java:80)"),
                new ModelCheckedDeadlock.Link("thread 2", List.of("accounts[\"bob\"].lock (taken at Ledger.java:73)"),
                        "accounts[\"alice\"].lock (at Ledger.java:80)")), cycle);
    }

    @Test
    void withoutTheSourceTheLinesExpressionStands() {
        Step take = new Step(1, Kind.STEP, "Ledger.java:73", "source.lock.lock()", false);
        Interleaving interleaving = new Interleaving(List.of("test", "thread 1"), List.of(take));

        assertEquals("source.lock", LockNames.of(interleaving, LearnerSources.NONE).name(take, "source.lock"));
    }
}
