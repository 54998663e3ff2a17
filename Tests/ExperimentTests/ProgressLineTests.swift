import Testing

@testable import Experiment

/// The wording of the progress line a terminal shows while a run trains.
@Suite struct ProgressLineTests {
    @Test func showsStepOfTotalPercentRateETAAndLoss() {
        let line = ProgressLine(step: 120, total: 600, seconds: 2, loss: 0.421_37)
        #expect(line.text == "step 120/600 20%  60.0 steps/s  ETA 0:08  loss 0.4214")
    }

    @Test func aSweepChildsPrefixAndAStageNameComeFirstAndTheRateCountsOnlyThisAttempt() {
        // Resumed at step 100: 50 steps in 2 s is 25 steps/s, and 50 steps are left.
        let line = ProgressLine(
            prefix: "[lr=0.1] ", label: "finetune", step: 150, total: 200, firstStep: 100, seconds: 2, loss: 1234.5678)
        #expect(line.text == "[lr=0.1] finetune step 150/200 75%  25.0 steps/s  ETA 0:02  loss 1235")
    }

    @Test func theStartAndTheEndShowNoRateAndAFullBar() {
        #expect(
            ProgressLine(step: 0, total: 600, seconds: 0, loss: 2.5).text
                == "step 0/600 0%  0.0 steps/s  ETA 0:00  loss 2.5")
        #expect(ProgressLine(step: 599, total: 600, seconds: 10, loss: 0.1).text.hasPrefix("step 599/600 99%  "))
        #expect(
            ProgressLine(step: 600, total: 600, seconds: 10, loss: 1e-5).text
                == "step 600/600 100%  60.0 steps/s  ETA 0:00  loss 1e-05")
    }

    @Test func theETAIsMinutesAndSecondsThenHours() {
        #expect(ProgressLine.clockText(59.6) == "1:00")
        #expect(ProgressLine.clockText(754) == "12:34")
        #expect(ProgressLine.clockText(3725) == "1:02:05")
        // 1 step/s with 7 200 steps left.
        #expect(ProgressLine(step: 800, total: 8000, seconds: 800, loss: 0.5).text.contains("ETA 2:00:00"))
    }
}
