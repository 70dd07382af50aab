"""The plot on the GUI thread: the picture the worker drew, the frame line over it, clicks to times.

:class:`PlotView` shows a :class:`~._plot.Picture` and paints the vertical
line at the viewer's frame itself, so playing the video repaints one line and
never redraws the figure. A left click inside the axes reports the time under
it; a resize asks for a new picture of the new size.
"""

import numpy as np
from qtpy.QtCore import QPointF, Qt
from qtpy.QtGui import QColor, QImage, QPainter, QPen
from qtpy.QtWidgets import QSizePolicy, QWidget


class PlotView(QWidget):
    """Shows the traces' picture with a frame line.

    Parameters
    ----------
    on_click : callable
        ``on_click(x)`` with the time (the plot's x value) of a left click in the axes.
    on_resize : callable
        Called when the widget's size changes (a new picture is needed).
    parent : QWidget, optional
    """

    def __init__(self, on_click, on_resize, parent=None):
        super().__init__(parent)
        self.setMinimumHeight(180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._on_click = on_click
        self._on_resize = on_resize
        self.picture = None
        self._image = None
        self.frame_x = None
        self.highlight = "#ffffff"

    def pixel_size(self):
        """The size in device pixels a picture should have: ``(width, height)``."""
        ratio = self.devicePixelRatioF()
        return int(round(self.width() * ratio)), int(round(self.height() * ratio))

    def set_picture(self, picture):
        """Show ``picture`` (a :class:`~._plot.Picture`)."""
        self.picture = picture
        height, width, _ = picture.rgba.shape
        image = QImage(picture.rgba.data, width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()
        image.setDevicePixelRatio(self.devicePixelRatioF())
        self._image = image
        self.update()

    def set_frame(self, x, highlight=None):
        """Draw the frame line at ``x`` (None hides it), in ``highlight`` if given."""
        self.frame_x = None if x is None else float(x)
        if highlight is not None:
            self.highlight = highlight
        self.update()

    def x_to_pixel(self, x):
        """The widget's horizontal position (logical pixels) of the plot's ``x``, or None without a picture."""
        if self.picture is None:
            return None
        left, _, right, _ = self.picture.axes_box
        x0, x1 = self.picture.xlim
        device = left + (x - x0) / (x1 - x0) * (right - left) if x1 != x0 else left
        return device / self.devicePixelRatioF()

    def paintEvent(self, event):  # Qt's name
        painter = QPainter(self)
        try:
            if self._image is None:
                return
            painter.drawImage(0, 0, self._image)
            if self.frame_x is None:
                return
            x0, x1 = sorted(self.picture.xlim)
            if not x0 <= self.frame_x <= x1:
                return
            ratio = self.devicePixelRatioF()
            _, top, _, bottom = (value / ratio for value in self.picture.axes_box)
            x = self.x_to_pixel(self.frame_x)
            painter.setPen(QPen(QColor(self.highlight), 1))
            painter.drawLine(QPointF(x, top), QPointF(x, bottom))
        finally:
            painter.end()

    def mousePressEvent(self, event):  # Qt's name
        if event.button() != Qt.MouseButton.LeftButton or self.picture is None:
            return
        ratio = self.devicePixelRatioF()
        position = event.position() if hasattr(event, "position") else event.localPos()
        px, py = position.x() * ratio, position.y() * ratio
        left, top, right, bottom = self.picture.axes_box
        if left <= px <= right and top <= py <= bottom and right > left:
            x0, x1 = self.picture.xlim
            self._on_click(float(x0 + (px - left) / (right - left) * (x1 - x0)))

    def resizeEvent(self, event):  # Qt's name
        super().resizeEvent(event)
        if self.picture is None or tuple(np.shape(self.picture.rgba)[1::-1]) != self.pixel_size():
            self._on_resize()
