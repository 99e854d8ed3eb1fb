package dev.kata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class SpinnerTest {
    @Test
    void killedMidCheckItEndsItsLineSayingWhatStopped() {
        StringWriter err = new StringWriter();
        Spinner spinner = new Spinner(new PrintWriter(err));
        spinner.testStarted("addsTwoNumbers");
        spinner.killed(); // what its shutdown hook does on SIGTERM
        String text = err.toString();
        assertTrue(text.endsWith("\rstopped while testing: addsTwoNumbers\n"), text);
        spinner.close();
        assertEquals(text, err.toString(), "nothing drawn after the line was ended");
    }
}
