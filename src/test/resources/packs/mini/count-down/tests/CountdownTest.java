package countdown;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CountdownTest {
    @Test
    void countsDown() {
        assertEquals(2, Countdown.next(3));
    }
}
