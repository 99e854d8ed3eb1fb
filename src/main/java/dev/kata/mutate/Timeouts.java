package dev.kata.mutate;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.NodeList;
import com.github.javaparser.ast.expr.BinaryExpr;
import com.github.javaparser.ast.expr.EnclosedExpr;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.FieldAccessExpr;
import com.github.javaparser.ast.expr.IntegerLiteralExpr;
import com.github.javaparser.ast.expr.LongLiteralExpr;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.expr.NameExpr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Shrinks a timeout to a tenth, or drops it (the wait becomes unbounded). */
final class Timeouts {
    private static final Set<String> UNITS = Set.of(
            "NANOSECONDS", "MICROSECONDS", "MILLISECONDS", "SECONDS", "MINUTES", "HOURS", "DAYS");
    /** Timed calls (amount, unit last) and the untimed call that waits without bound. */
    private static final Map<String, String> UNTIMED = Map.of(
            "await", "await", "get", "get", "poll", "take", "tryLock", "lock", "offer", "put",
            "tryAcquire", "acquire", "invokeAll", "invokeAll", "invokeAny", "invokeAny");
    /**
     * Calls whose one argument is an amount of time to wait: milliseconds or nanoseconds, or an
     * HttpServer's stop(delay), seconds to let the exchanges in flight finish.
     */
    private static final Set<String> TIMED_BY_NUMBER = Set.of("join", "wait", "awaitNanos", "stop");
    private static final Set<String> DURATION_FACTORIES = Set.of(
            "ofNanos", "ofMillis", "ofSeconds", "ofMinutes", "ofHours", "ofDays", "of");

    private Timeouts() {
    }

    static final Operator SHRINK = new Operator() {
        @Override
        public String id() {
            return "shrink-timeout";
        }

        @Override
        public String does() {
            return "divides a timeout by ten";
        }

        @Override
        public List<Site> sites(CompilationUnit unit) {
            List<Site> out = new ArrayList<>();
            for (MethodCallExpr call : unit.findAll(MethodCallExpr.class)) {
                NodeList<Expression> args = call.getArguments();
                Expression amount = null;
                if (args.size() >= 2 && isUnit(args.getLast().orElseThrow())) {
                    amount = args.get(args.size() - 2);
                } else if (args.size() == 1 && call.getScope().map(s -> s.toString().equals("Duration")).orElse(false)
                        && DURATION_FACTORIES.contains(call.getNameAsString())) {
                    amount = args.get(0);
                } else if (args.size() == 1 && TIMED_BY_NUMBER.contains(call.getNameAsString())) {
                    amount = args.get(0);
                }
                if (amount != null) {
                    Expression target = amount;
                    out.add(new Site(call, () -> target.replace(tenth(target))));
                }
            }
            return out;
        }
    };

    static final Operator DROP = new Operator() {
        @Override
        public String id() {
            return "drop-timeout";
        }

        @Override
        public String does() {
            return "waits without a timeout (poll(t, u) to take(), await(t, u) to await(), orTimeout removed...)";
        }

        @Override
        public List<Site> sites(CompilationUnit unit) {
            List<Site> out = new ArrayList<>();
            for (MethodCallExpr call : unit.findAll(MethodCallExpr.class)) {
                NodeList<Expression> args = call.getArguments();
                String name = call.getNameAsString();
                boolean unitLast = args.size() >= 2 && isUnit(args.getLast().orElseThrow());
                if (unitLast && UNTIMED.containsKey(name)) {
                    out.add(new Site(call, () -> {
                        call.setName(UNTIMED.get(name));
                        args.removeLast();
                        args.removeLast();
                    }));
                } else if (unitLast && (name.equals("orTimeout") || name.equals("completeOnTimeout"))
                        && call.getScope().isPresent()) {
                    out.add(new Site(call, () -> call.replace(call.getScope().get().clone())));
                } else if (args.size() == 1 && (name.equals("join") || name.equals("wait")) && call.getScope().isPresent()) {
                    out.add(new Site(call, args::clear));
                }
            }
            return out;
        }
    };

    static boolean isUnit(Expression e) {
        if (e instanceof FieldAccessExpr f) {
            return f.getScope().toString().endsWith("TimeUnit") && UNITS.contains(f.getNameAsString());
        }
        if (e instanceof NameExpr n) {
            String name = n.getNameAsString();
            return UNITS.contains(name) || name.equals("unit") || name.endsWith("Unit");
        }
        return false;
    }

    private static Expression tenth(Expression amount) {
        if (amount instanceof IntegerLiteralExpr i) {
            return new IntegerLiteralExpr(String.valueOf(i.asNumber().longValue() / 10));
        }
        if (amount instanceof LongLiteralExpr l) {
            return new LongLiteralExpr(l.asNumber().longValue() / 10 + "L");
        }
        return new BinaryExpr(new EnclosedExpr(amount.clone()), new IntegerLiteralExpr("10"), BinaryExpr.Operator.DIVIDE);
    }
}
