package dev.kata.grader;

import java.util.List;

/**
 * One thread as a verdict shows it: what it is, what it waits on, and where in the learner's
 * code it is ({@code location}, e.g. {@code AlertService.java:42}, or null if none of its
 * frames is the learner's). {@code frames} are in the stack's order, innermost first: the JDK
 * call it is blocked in, then the learner's and the tests' frames.
 */
public record ThreadReport(
        String name,
        boolean virtual,
        String state,
        String waitingOn,
        String lockOwner,
        String location,
        List<String> frames) implements java.io.Serializable {
}
