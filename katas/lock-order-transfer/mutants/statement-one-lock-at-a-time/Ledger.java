package lockordertransfer;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The ledger of a wallet service: customers send money to each other, and every transfer moves
 * cents from one account to another. Each account has a lock of its own, so transfers between
 * unrelated customers never wait for each other.
 *
 * <p>Before money moves, the risk engine looks at the transfer and at the balance of the account
 * it comes from. Both accounts stay locked from that check until the money has moved, so the
 * balance the risk engine approved is the balance that gets debited.
 *
 * <p>At month end, {@link #statement} reads the balances of several accounts as one snapshot,
 * holding all their locks at once.
 *
 * <p>A transfer takes its two locks in one global order, the larger account id first, never in
 * the order of the transfer.
 */
public final class Ledger {

    /** A request to move {@code cents} from account {@code from} to account {@code to}. */
    public record Transfer(String from, String to, long cents) {
    }

    /** The risk engine. Throws {@link TransferRejectedException} to refuse a transfer. */
    public interface RiskCheck {
        void approve(Transfer transfer, long sourceBalanceCents);
    }

    /** A transfer that was refused: not enough money, or the risk engine said no. */
    public static final class TransferRejectedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public TransferRejectedException(String message) {
            super(message);
        }
    }

    private static final class Account {
        final String id;
        final ReentrantLock lock = new ReentrantLock();
        /** Changed only under {@code lock}; volatile, so that a read with no lock is ordered after the last change. */
        volatile long balanceCents;

        Account(String id, long balanceCents) {
            this.id = id;
            this.balanceCents = balanceCents;
        }
    }

    private final Map<String, Account> accounts = new HashMap<>();
    private final RiskCheck risk;

    /** Opens one account per entry of {@code openingBalances} (id to cents). */
    public Ledger(Map<String, Long> openingBalances, RiskCheck risk) {
        openingBalances.forEach((id, cents) -> accounts.put(id, new Account(id, cents)));
        this.risk = Objects.requireNonNull(risk, "risk");
    }

    /**
     * Moves {@code cents} from {@code from} to {@code to}.
     *
     * @throws TransferRejectedException if the source lacks the money or the risk engine refuses
     */
    public void transfer(String from, String to, long cents) {
        if (cents <= 0) {
            throw new IllegalArgumentException("amount must be positive: " + cents);
        }
        if (from.equals(to)) {
            throw new IllegalArgumentException("cannot transfer from an account to itself: " + from);
        }
        Account source = account(from);
        Account target = account(to);
        Transfer transfer = new Transfer(from, to, cents);

        // Every transfer takes the two locks in one global order, the larger account id first,
        // whatever its direction: two transfers can then never each hold the lock the other needs.
        Account first = source.id.compareTo(target.id) > 0 ? source : target;
        Account second = first == source ? target : source;
        first.lock.lock();
        try {
            second.lock.lock();
            try {
                risk.approve(transfer, source.balanceCents);
                if (source.balanceCents < cents) {
                    throw new TransferRejectedException("insufficient funds in " + from + ": "
                            + source.balanceCents + " < " + cents);
                }
                source.balanceCents -= cents;
                target.balanceCents += cents;
            } finally {
                second.lock.unlock();
            }
        } finally {
            first.lock.unlock();
        }
    }

    /**
     * The month-end statement of the accounts {@code ids}: their balances at one moment, one
     * consistent snapshot, in which no transfer between two of them is counted half done.
     *
     * <p>It holds the locks of all those accounts at once, so it takes them in the ledger's one lock
     * order: ascending account id, each account once. Every path that holds several account locks at
     * once must take them in this same order, or it can end up waiting in a cycle with a statement.
     *
     * @throws IllegalArgumentException if an id names no account (no lock is then left held)
     */
    public Map<String, Long> statement(Collection<String> ids) {
        // One account at a time: the statement never holds one lock while it waits for another, so
        // it cannot wait in a cycle with a transfer, whatever order the transfers lock in.
        String[] sorted = ids.toArray(new String[0]);
        Arrays.sort(sorted); // ascending id order
        Map<String, Long> balances = new HashMap<>();
        for (String id : sorted) {
            Account account = account(id);
            account.lock.lock();
            try {
                balances.put(account.id, account.balanceCents);
            } finally {
                account.lock.unlock();
            }
        }
        return balances;
    }

    /** The balance of account {@code id}, in cents. */
    public long balance(String id) {
        return account(id).balanceCents; // a dashboard's read need not wait for a transfer's risk check
    }

    private Account account(String id) {
        Account account = accounts.get(id);
        if (account == null) {
            throw new IllegalArgumentException("no such account: " + id);
        }
        return account;
    }
}
