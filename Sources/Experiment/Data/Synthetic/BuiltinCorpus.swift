/// A few kilobytes of original English prose written for Kiln, free to use: the corpus for byte-level language
/// models when no text file is given. Plain ASCII, paragraphs separated by blank lines.
public enum BuiltinCorpus {
    /// The text.
    public static let text = """
        The potter woke before the birds and walked down to the kiln. The night had been cold, and a thin frost \
        lay on the stacked wood. She laid her hand on the bricks. They were still warm from the last firing, and \
        the warmth went up her arm like a small promise.

        Every pot begins as mud. It is dug from the bank of the river, carried home in baskets, and left to \
        soak until the stones sink and the fine clay rises. Then it is dried on boards in the sun, wedged by hand \
        until no air is left inside, and thrown on the wheel. A good potter listens to the clay. If it is too wet \
        it slumps; if it is too dry it cracks. The wheel turns, the walls rise, and the shape that was only an \
        idea becomes a bowl that can hold water.

        The old men of the village said that a kiln has a temper. Feed it too fast and it roars and cracks the \
        ware; feed it too slowly and it sulks and the glaze stays dull. The potter did not believe in tempers, \
        but she believed in patience. She fed the fire one log at a time and watched the colour of the flame \
        through the spy hole: red, then orange, then a yellow so bright that it hurt to look at.

        In the spring the river rose and covered the lower fields. The children built rafts from reeds and sailed \
        them past the mill. The miller shouted at them, but he was laughing, and when the water went down he gave \
        each of them a small loaf with a cross cut into the top.

        A merchant came through the valley in the summer with three mules and a cart. He bought forty bowls, \
        twelve jugs and a large jar with a blue glaze that had run down the side like rain on a window. He asked \
        the potter how she made the blue. She told him it came from a stone found in the hills, ground fine and \
        mixed with ash. She did not tell him which hill. Some things a potter keeps.

        Counting is the oldest work of the mind. One stone for each sheep that leaves the fold in the morning, \
        and one stone taken back for each sheep that returns at night. If a stone is left over, a sheep is lost. \
        From such small rules came tallies, then numbers, then the long sums of the tax collector, who came every \
        autumn and was welcomed by no one.

        The autumn firing was the largest of the year. Two hundred pieces were set in the chamber on shelves of \
        fired clay, with small cones of wax and sand placed where the potter could see them. When the cones bent, \
        the heat was right. The fire burned for two days and two nights. On the third morning the potter bricked \
        up the door and let the kiln cool slowly, because glass that cools too fast will shatter.

        When the kiln was opened, most of the ware was sound. A few jugs had cracked, and one bowl had fused to \
        its shelf. But the large jars had come out with a glaze the colour of deep water, and in the light of the \
        morning they seemed to hold the whole sky. The potter set them in a row on the wall and did not sell \
        them until spring.

        In winter the valley was quiet. Snow lay on the roofs, and smoke rose straight up from the chimneys in \
        the still air. The potter mended her tools, trimmed the wicks of her lamps, and taught her nephew to \
        centre clay on the wheel. He was clumsy at first and the clay flew off in lumps, but by the end of the \
        winter he could throw a cup with walls as thin as a leaf.

        There is a saying in the valley: the fire does not care who you are. It heats the rich man's stew and the \
        poor man's porridge alike. It fires the bishop's chalice and the farmer's milk pail in the same chamber, \
        at the same heat, for the same number of hours. What comes out depends on the clay and on the care, and \
        on a little luck that no one has yet learned to measure.

        """
}
