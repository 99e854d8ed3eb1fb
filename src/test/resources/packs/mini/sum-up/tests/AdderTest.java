package sumup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AdderTest {
    @Test
    void addsTwoNumbers() {
        assertEquals(5, Adder.add(2, 3), "2 + 3");
    }

    @Test
    void addsZero() {
        assertEquals(7, Adder.add(7, 0), "7 + 0");
    }
}
