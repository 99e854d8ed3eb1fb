package dev.kata.mutate;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.NodeList;
import com.github.javaparser.ast.stmt.BlockStmt;
import com.github.javaparser.ast.stmt.Statement;
import com.github.javaparser.ast.stmt.SynchronizedStmt;
import com.github.javaparser.ast.stmt.TryStmt;
import java.util.ArrayList;
import java.util.List;

/** Shrinks, shifts or skips a critical region (see {@link Region}). */
final class CriticalRegion {
    private CriticalRegion() {
    }

    /** The region's first statement runs before the lock is taken; or its last, after it is released. */
    static final Operator SHRINK = new Operator() {
        @Override
        public String id() {
            return "shrink-critical-region";
        }

        @Override
        public String does() {
            return "moves the first or last statement of a critical region out of it";
        }

        @Override
        public List<Site> sites(CompilationUnit unit) {
            List<Site> out = new ArrayList<>();
            for (Region r : Region.in(unit)) {
                BlockStmt outer = r.enclosing();
                NodeList<Statement> body = r.body().getStatements();
                if (outer == null || body.size() < 2) {
                    continue;
                }
                out.add(new Site(r.acquire(), () -> {
                    Statement first = body.get(0);
                    first.remove();
                    outer.getStatements().add(outer.getStatements().indexOf(r.acquire()), first);
                }));
                if (!Statements.jumps(body.getLast().orElseThrow())) {
                    out.add(new Site(r.acquire(), () -> {
                        Statement last = body.getLast().orElseThrow();
                        last.remove();
                        outer.getStatements().add(outer.getStatements().indexOf(r.holder()) + 1, last);
                    }));
                }
            }
            return out;
        }
    };

    /** The lock is taken one statement later: the region's first statement runs before, the next one after it under the lock. */
    static final Operator SHIFT = new Operator() {
        @Override
        public String id() {
            return "shift-critical-region";
        }

        @Override
        public String does() {
            return "moves a critical region one statement down";
        }

        @Override
        public List<Site> sites(CompilationUnit unit) {
            List<Site> out = new ArrayList<>();
            for (Region r : Region.in(unit)) {
                BlockStmt outer = r.enclosing();
                NodeList<Statement> body = r.body().getStatements();
                if (outer == null || body.isEmpty()) {
                    continue;
                }
                int after = outer.getStatements().indexOf(r.holder()) + 1;
                if (after >= outer.getStatements().size()) {
                    continue;
                }
                out.add(new Site(r.acquire(), () -> {
                    Statement next = outer.getStatements().get(after);
                    next.remove();
                    Statement first = body.get(0);
                    first.remove();
                    body.add(next);
                    outer.getStatements().add(outer.getStatements().indexOf(r.acquire()), first);
                }));
            }
            return out;
        }
    };

    /** A synchronized block's body runs without the monitor. */
    static final Operator REMOVE_SYNCHRONIZED_BLOCK = new Operator() {
        @Override
        public String id() {
            return "remove-synchronized-block";
        }

        @Override
        public String does() {
            return "runs a synchronized block's body without taking the monitor";
        }

        @Override
        public List<Site> sites(CompilationUnit unit) {
            return unit.findAll(SynchronizedStmt.class).stream()
                    .filter(s -> Statements.block(s).isPresent())
                    .map(s -> new Site(s, () -> Statements.unwrap(s, s.getBody())))
                    .toList();
        }
    };

    /** A lock region's body runs without the lock: the lock call and its unlock go. */
    static final Operator SKIP = new Operator() {
        @Override
        public String id() {
            return "skip-critical-region";
        }

        @Override
        public String does() {
            return "removes a lock() call and its unlock(): the region runs without the lock";
        }

        @Override
        public List<Site> sites(CompilationUnit unit) {
            List<Site> out = new ArrayList<>();
            for (Region r : Region.in(unit)) {
                if (r.lock() == null || r.enclosing() == null) {
                    continue;
                }
                out.add(new Site(r.acquire(), () -> {
                    TryStmt t = (TryStmt) r.holder();
                    BlockStmt fin = t.getFinallyBlock().orElseThrow();
                    Region.unlocks(fin, r.lock()).forEach(s -> fin.getStatements().remove(s));
                    r.enclosing().getStatements().remove(r.acquire());
                    if (fin.getStatements().isEmpty()) {
                        Tries.dropFinally(t);
                    }
                }));
            }
            return out;
        }
    };
}
