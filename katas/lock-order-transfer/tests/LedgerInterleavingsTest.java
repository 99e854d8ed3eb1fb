package lockordertransfer;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.kata.probe.api.Interleavings;
import dev.kata.probe.api.Pitfalls;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lock-order deadlock, model-checked: two transfers between the same two accounts, in opposite
 * directions, at once. The model checker tries the ways their steps can interleave until both are
 * stuck, each holding the lock the other one waits for, or one is refused (or neither happens). It
 * finds such an interleaving on every run, however busy the machine; the verdict shows it. And two
 * transfers into one account at once: no interleaving may lose or make money. A transfer against a
 * month-end statement is lined up on real threads in LedgerTest.
 */
@Timeout(value = 60, unit = SECONDS)
class LedgerInterleavingsTest {
    private static final int INVOCATIONS = 30;

    /** Published through fields, so that the model checker follows every access to them. */
    private static Ledger ledger;
    private static RuntimeException refused;

    @Test
    @DisplayName("two opposite transfers at once: no interleaving leaves them waiting for each other (model-checked)")
    void noInterleavingDeadlocksTwoOppositeTransfers() {
        Interleavings.check(INVOCATIONS, () -> {
            ledger = new Ledger(Map.of("alice", 10_000L, "bob", 10_000L), (transfer, balance) -> { });
            refused = null;
            Thread aliceToBob = new Thread(() -> transfer("alice", "bob", 2_500));
            Thread bobToAlice = new Thread(() -> transfer("bob", "alice", 1_000));
            aliceToBob.start();
            bobToAlice.start();
            join(aliceToBob);
            join(bobToAlice);
            if (refused != null) {
                throw Pitfalls.deadlock("a transfer between two accounts with money was refused when it met the"
                        + " opposite transfer: " + refused.getMessage() + " (the steps below). Giving up is not"
                        + " the cure: take the two locks in an order both transfers agree on.");
            }
        });
    }

    @Test
    @DisplayName("two transfers into one account at once: no interleaving loses money (model-checked)")
    void noInterleavingLosesMoneyOfTwoTransfersIntoOneAccount() {
        Interleavings.check(INVOCATIONS, () -> {
            ledger = new Ledger(Map.of("alice", 10_000L, "bob", 10_000L, "carol", 0L), (transfer, balance) -> { });
            refused = null;
            Thread aliceToCarol = new Thread(() -> transfer("alice", "carol", 2_500));
            Thread bobToCarol = new Thread(() -> transfer("bob", "carol", 1_000));
            aliceToCarol.start();
            bobToCarol.start();
            join(aliceToCarol);
            join(bobToCarol);
            long alice = ledger.balance("alice");
            long bob = ledger.balance("bob");
            long carol = ledger.balance("carol");
            if (refused != null || alice != 7_500 || bob != 9_000 || carol != 3_500) {
                throw Pitfalls.race("alice sent 2500 and bob sent 1000 to carol at the same time; afterwards alice had "
                        + alice + ", bob " + bob + " and carol " + carol + " (expected 7500, 9000 and 3500)"
                        + (refused != null ? ", and a transfer was refused: " + refused.getMessage() : "")
                        + ". The steps below show how the two transfers interleaved. Read, change and write each balance"
                        + " only while its account's lock is held.");
            }
        });
    }

    /** What the statement of the scenario below returned. */
    private static Map<String, Long> statement;

    @Test
    @DisplayName("a statement beside a transfer between its two accounts: no interleaving shows one account before"
            + " the transfer and the other after it (model-checked)")
    void noInterleavingTearsAStatement() {
        Interleavings.check(INVOCATIONS, () -> {
            ledger = new Ledger(Map.of("alice", 10_000L, "bob", 10_000L), (transfer, balance) -> { });
            refused = null;
            statement = null;
            Thread bobToAlice = new Thread(() -> transfer("bob", "alice", 3_000));
            Thread monthEnd = new Thread(() -> statement = ledger.statement(java.util.List.of("alice", "bob")));
            bobToAlice.start();
            monthEnd.start();
            join(bobToAlice);
            join(monthEnd);
            Map<String, Long> before = Map.of("alice", 10_000L, "bob", 10_000L);
            Map<String, Long> after = Map.of("alice", 13_000L, "bob", 7_000L);
            if (refused == null && statement != null && !statement.equals(before) && !statement.equals(after)) {
                throw Pitfalls.race("alice and bob had 10000 each; bob sent 3000 to alice while a statement of alice"
                        + " and bob was taken. The statement showed " + statement + ": neither the balances before"
                        + " the transfer " + before + " nor those after it " + after + " (the steps below). A"
                        + " statement shows one moment: hold both accounts' locks while it reads them.");
            }
        });
    }

    private static void transfer(String from, String to, long cents) {
        try {
            ledger.transfer(from, to, cents);
        } catch (RuntimeException e) {
            refused = e;
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
