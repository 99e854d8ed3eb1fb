package dev.kata.validate;

import dev.kata.catalog.Contract;
import dev.kata.catalog.Kata;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Holds a kata's {@code contract.toml} against its hidden tests: a clause that no test holds, or
 * that names a test that does not exist, is a problem; a test that no clause names is a warning
 * (it holds nothing the story states, or the contract forgets a clause).
 *
 * @param problems make the kata invalid
 * @param warnings are shown, and do not
 */
public record ContractAudit(List<String> problems, List<String> warnings) {

    /** @param required whether a kata without a contract.toml is a problem (the built-in pack) */
    public static ContractAudit of(Kata kata, boolean required) {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Contract contract = kata.contract();
        if (contract == null) {
            if (required) {
                problems.add("contract.toml is missing (the clauses of the task and the tests that hold each)");
            }
            return new ContractAudit(problems, warnings);
        }
        HiddenTests tests = HiddenTests.in(kata.testsDir());
        tests.unreadable().forEach(u -> problems.add("tests/" + u));
        Set<String> mainClasses = new HashSet<>();
        kata.files().forEach(f -> mainClasses.add(f.substring(0, f.length() - ".java".length()) + "Test"));
        if (tests.byClass().size() == 1) {
            mainClasses.addAll(tests.byClass().keySet());
        }
        Set<String> named = new HashSet<>();
        for (Contract.Clause clause : contract.clauses()) {
            if (clause.tests().isEmpty()) {
                problems.add("contract.toml: clause " + clause.id() + " names no test: which hidden test holds \""
                        + clause.says() + "\"?");
            }
            for (String test : clause.tests()) {
                String found = resolve(test, tests, mainClasses);
                if (found == null) {
                    problems.add("contract.toml: clause " + clause.id() + " names " + test
                            + ", which is no test method in tests/" + (test.contains(".") ? ""
                            : " (a method of another class than " + String.join(" or ", mainClasses.stream().sorted().toList())
                            + " is named Class.method)"));
                } else {
                    named.add(found);
                }
            }
        }
        for (String test : tests.all()) {
            if (!named.contains(test)) {
                warnings.add("contract.toml: no clause names the test " + test);
            }
        }
        return new ContractAudit(problems, warnings);
    }

    /** {@code Class.method} of a test a clause names, or null if there is none. */
    private static String resolve(String name, HiddenTests tests, Set<String> mainClasses) {
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            String type = name.substring(0, dot);
            String simple = type.substring(type.lastIndexOf('.') + 1);
            Set<String> methods = tests.byClass().get(simple);
            return methods != null && methods.contains(name.substring(dot + 1)) ? simple + "." + name.substring(dot + 1) : null;
        }
        for (String type : mainClasses) {
            Set<String> methods = tests.byClass().get(type);
            if (methods != null && methods.contains(name)) {
                return type + "." + name;
            }
        }
        return null;
    }
}
