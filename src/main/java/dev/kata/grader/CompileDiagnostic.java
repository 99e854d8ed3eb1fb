package dev.kata.grader;

/**
 * One compiler message about a learner file, in the learner's terms: the file as they would
 * open it, 1-based line and column, the message, and the source line it points at.
 */
public record CompileDiagnostic(String file, long line, long column, String message, String sourceLine)
        implements java.io.Serializable {
}
