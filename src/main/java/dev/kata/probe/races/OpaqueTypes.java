package dev.kata.probe.races;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The types whose calls the detector does not count as hand-offs
 * ({@code -Dkata.races.opaque=pkg.Service$Store,...}, binary names, matched against the type a
 * call names). A learner interface that the tests implement with a stand-in synchronises for the
 * tests' own bookkeeping; a JDK type such as a request's {@code HttpExchange} synchronises inside
 * the JDK. When the task promises no ordering through them, code that is ordered only by such a
 * call would race against a real store or another request.
 */
public record OpaqueTypes(Set<String> binaryNames) {
    public static final String PROPERTY = "kata.races.opaque";

    public static OpaqueTypes fromSystemProperty() {
        String value = System.getProperty(PROPERTY, "");
        return new OpaqueTypes(Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet()));
    }

    boolean containsInternal(String internalName) {
        return binaryNames.contains(internalName.replace('/', '.'));
    }

    /** The names a learner knows them by ({@code Service.Store}), for messages. */
    public String sourceNames() {
        return binaryNames.stream().map(name -> name.substring(name.lastIndexOf('.') + 1).replace('$', '.'))
                .sorted().collect(Collectors.joining(", "));
    }

    public boolean isEmpty() {
        return binaryNames.isEmpty();
    }
}
