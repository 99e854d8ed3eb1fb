package dev.kata.workspace;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A learner's progress over all katas, by kata id. Immutable: updates return a new value. */
public record Progress(Map<String, KataProgress> katas) {
    public static final Progress EMPTY = new Progress(Map.of());

    public Progress {
        katas = Collections.unmodifiableMap(new LinkedHashMap<>(katas));
    }

    public KataProgress of(String id) {
        return katas.getOrDefault(id, KataProgress.NONE);
    }

    public Progress update(String id, UnaryOperator<KataProgress> change) {
        Map<String, KataProgress> next = new LinkedHashMap<>(katas);
        next.put(id, change.apply(of(id)));
        return new Progress(next);
    }
}
