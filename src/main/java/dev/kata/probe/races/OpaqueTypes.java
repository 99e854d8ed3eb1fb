package dev.kata.probe.races;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The learner's own interfaces whose calls the detector does not count as hand-offs
 * ({@code -Dkata.races.opaque=pkg.Service$Store,...}, binary names). The tests implement them with
 * stand-ins that synchronise for their own bookkeeping; the task promises no ordering through them,
 * so code that is ordered only by a stand-in's latch would race against a real store.
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
