package lockordertransfer;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.kata.probe.api.Pitfalls;
import java.util.List;
import java.util.Map;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lock-order deadlock, model-checked: two transfers between the same two accounts, in opposite
 * directions, at once. The model checker tries the ways their steps can interleave until both are
 * stuck, each holding the lock the other one waits for, or one is refused (or neither happens). It
 * finds such an interleaving on every run, however busy the machine; the verdict shows it. A transfer
 * and a month-end statement of the same two accounts at once: no interleaving may leave them waiting
 * for each other, and the statement must show the balances of one moment. And two transfers into one
 * account at once: no interleaving may lose or make money.
 */
@Timeout(value = 60, unit = SECONDS)
class LedgerInterleavingsTest {
    private static final int INVOCATIONS = 100;
    /**
     * A transfer that locks in another order than the statement's, or a statement read in two steps, is found
     * within ten invocations. The search grows with the steps a transfer takes before its locks (ten extra
     * reads of the balances there need up to twenty invocations; forty hid the cycle from 100), so LedgerTest's
     * aStatementAndATransferOfTheSameAccountsBothFinish lines the same meeting up on real threads as well.
     */
    private static final int STATEMENT_INVOCATIONS = 30;

    /** Published through fields, so that the model checker follows every access to them. */
    private static Ledger ledger;
    private static RuntimeException refused;
    private static Map<String, Long> statement;
    private static RuntimeException statementFailure;

    @Test
    @DisplayName("two opposite transfers at once: no interleaving leaves them waiting for each other (model-checked)")
    void noInterleavingDeadlocksTwoOppositeTransfers() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
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

    /**
     * bob->alice runs while a statement of both accounts is made. A transfer that takes the locks in another
     * order than the statement's (descending ids, the paying account first) holds bob while the statement
     * holds alice, and each waits for the other: the model checker reports that cycle. A statement must also
     * never count money in the middle of the transfer: it shows both balances before it, or both after it.
     */
    @Test
    @DisplayName("a transfer and a statement of the same two accounts at once: no interleaving leaves them waiting"
            + " for each other, and the statement shows one moment's balances (model-checked)")
    void noInterleavingDeadlocksATransferAndAStatement() {
        Lincheck.runConcurrentTest(STATEMENT_INVOCATIONS, () -> {
            ledger = new Ledger(Map.of("alice", 10_000L, "bob", 10_000L), (transfer, balance) -> { });
            refused = null;
            statement = null;
            statementFailure = null;
            Thread bobToAlice = new Thread(() -> transfer("bob", "alice", 1_000));
            Thread monthEnd = new Thread(() -> statement(List.of("bob", "alice")));
            bobToAlice.start();
            monthEnd.start();
            join(bobToAlice);
            join(monthEnd);
            if (refused != null) {
                throw Pitfalls.deadlock("a transfer of 1000 from bob, who had 10000, to alice was refused when it met"
                        + " a month-end statement of both accounts: " + refused.getMessage() + " (the steps below)."
                        + " Giving up is not the cure: take the two locks in the ledger's one order, the statement's"
                        + " (ascending account id).");
            }
            if (statementFailure != null) {
                throw new AssertionError("a statement of alice and bob, made while bob->alice ran, failed with "
                        + statementFailure + " (the steps below)", statementFailure);
            }
            Map<String, Long> before = Map.of("alice", 10_000L, "bob", 10_000L);
            Map<String, Long> after = Map.of("alice", 11_000L, "bob", 9_000L);
            if (!before.equals(statement) && !after.equals(statement)) {
                boolean mixed = statement != null && statement.size() == 2
                        && List.of(10_000L, 11_000L).contains(statement.get("alice"))
                        && List.of(10_000L, 9_000L).contains(statement.get("bob"));
                throw Pitfalls.race("a statement of alice and bob, made while bob sent 1000 to alice, showed " + statement
                        + "; expected the balances of one moment: before the transfer " + before + " or after it "
                        + after + (mixed ? ". It read one account before the transfer moved the money and the other"
                        + " after it (the steps below). A statement must hold the locks of all its accounts while it"
                        + " reads them." : " (the steps below)."));
            }
        });
    }

    @Test
    @DisplayName("two transfers into one account at once: no interleaving loses money (model-checked)")
    void noInterleavingLosesMoneyOfTwoTransfersIntoOneAccount() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
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

    private static void transfer(String from, String to, long cents) {
        try {
            ledger.transfer(from, to, cents);
        } catch (RuntimeException e) {
            refused = e;
        }
    }

    private static void statement(List<String> ids) {
        try {
            statement = ledger.statement(ids);
        } catch (RuntimeException e) {
            statementFailure = e;
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
