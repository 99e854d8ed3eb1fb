package dev.kata.probe.races;

/** The tests' side of {@link RaceFixture.Step}: a hand-off through a thread it joins, outside the learner's code. */
public class RaceFixtureStep extends RaceFixture.Step {
    private final RaceFixture fixture;

    public RaceFixtureStep(RaceFixture fixture) {
        this.fixture = fixture;
    }

    @Override
    public void run() {
        Thread writer = new Thread(() -> fixture.set(11));
        writer.start();
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
