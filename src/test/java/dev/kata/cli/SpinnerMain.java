package dev.kata.cli;

import java.io.PrintWriter;

/** A spinner that runs until the process is killed: for {@link SpinnerTest}. */
public final class SpinnerMain {
    private SpinnerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Spinner spinner = new Spinner(new PrintWriter(System.err, true));
        spinner.phase("compiling");
        System.out.println("spinning");
        Thread.sleep(60_000);
        spinner.close();
    }
}
