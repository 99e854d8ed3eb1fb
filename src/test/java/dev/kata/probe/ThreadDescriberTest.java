package dev.kata.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ThreadDescriberTest {
    private final ThreadDescriber describer = new ThreadDescriber(Set.of("pipeline.ReportPipeline"),
            Set.of("pipeline.ReportPipelineTest"));

    @Test
    void framesKeepTheStacksOrderFromTheBlockingCallOutSkippingJunitAndTheJdkBetween() {
        StackTraceElement[] stack = {
            frame("jdk.internal.misc.Unsafe", "park", "Unsafe.java", -2),
            frame("java.util.concurrent.locks.LockSupport", "park", "LockSupport.java", 371),
            frame("java.util.concurrent.SynchronousQueue", "put", "SynchronousQueue.java", 206),
            frame("pipeline.ReportPipeline", "lambda$send$0", "ReportPipeline.java", 12),
            frame("java.util.ArrayList", "forEach", "ArrayList.java", 1596),
            frame("pipeline.ReportPipeline", "collect", "ReportPipeline.java", 20),
            frame("pipeline.ReportPipelineTest", "collectsASmallReport", "ReportPipelineTest.java", 31),
            frame("org.junit.platform.commons.util.ReflectionUtils", "invokeMethod", "ReflectionUtils.java", 767),
        };

        assertEquals(List.of("SynchronousQueue.put(SynchronousQueue.java:206)",
                "ReportPipeline.lambda$send$0(ReportPipeline.java:12)",
                "ReportPipeline.collect(ReportPipeline.java:20)",
                "ReportPipelineTest.collectsASmallReport(ReportPipelineTest.java:31)"), describer.frames(stack));
        assertEquals("ReportPipeline.java:12", describer.location(stack));
    }

    private static StackTraceElement frame(String cls, String method, String file, int line) {
        return new StackTraceElement(cls, method, file, line);
    }
}
