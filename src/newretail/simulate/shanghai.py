"""The demo's geography: two Shanghai business districts and two brands trading in them.

Coordinates are [lat, lng] near the real places; the brands and their people are invented.
Both brands have stores along West Nanjing Road, so the district is shared between them.
"""

from newretail.members.binding_rules import BindingMode
from newretail.org.rules import StoreType
from newretail.simulate.members import BrandMembersPlan, MembersPlan
from newretail.simulate.plans import (
    DEPARTMENT_STORE_HOURS,
    MALL_HOURS,
    POPUP_HOURS,
    WAREHOUSE_HOURS,
    BrandPlan,
    DistrictPlan,
    OrganisationPlan,
    RegionPlan,
    StorePlan,
)

DEMO_PASSWORD = "newretail"  # noqa: S105  (printed for the demo's logins)

WEST_NANJING_ROAD = DistrictPlan(
    code="SH-NJW",
    name="南京西路商圈 (静安)",
    city="上海",
    lat=31.2280,
    lng=121.4540,
    polygon=(
        (31.2335, 121.4425),
        (31.2345, 121.4625),
        (31.2300, 121.4660),
        (31.2210, 121.4560),
        (31.2200, 121.4430),
    ),
)
MIDDLE_HUAIHAI_ROAD = DistrictPlan(
    code="SH-HHM",
    name="淮海中路商圈 (黄浦)",
    city="上海",
    lat=31.2167,
    lng=121.4655,
    polygon=(
        (31.2195, 121.4545),
        (31.2205, 121.4760),
        (31.2140, 121.4770),
        (31.2125, 121.4545),
    ),
)

NJW = WEST_NANJING_ROAD.code
KERRY_CENTRE = "上海市静安区南京西路1515号静安嘉里中心"
PLAZA_66 = "上海市静安区南京西路1266号恒隆广场"
CITIC_SQUARE = "上海市静安区南京西路1168号中信泰富广场"
WESTGATE_MALL = "上海市静安区南京西路1038号梅龙镇广场"
TAIKOO_HUI = "上海市静安区石门一路288号兴业太古汇"
JIUGUANG = "上海市静安区南京西路1618号久光百货"
REEL_MALL = "上海市静安区南京西路1601号芮欧百货"

SPORTSWEAR = BrandPlan(
    code="YUEDONG",
    name="跃动体育 Yuedong Sports",
    handle="yd",
    regions=(
        RegionPlan("YD-HQ", "跃动体育总部", "hq"),
        RegionPlan("YD-EAST", "华东大区", "division", parent="YD-HQ", managed=True),
        RegionPlan("YD-SH1", "上海一区", "area", parent="YD-EAST", managed=True),
        RegionPlan("YD-SH2", "上海二区", "area", parent="YD-EAST"),
        RegionPlan("YD-NORTH", "华北大区", "division", parent="YD-HQ"),
        RegionPlan("YD-BJ1", "北京一区", "area", parent="YD-NORTH"),
    ),
    stores=(
        StorePlan(
            code="YD-SH001",
            name="跃动体育 静安嘉里中心旗舰店",
            type=StoreType.DIRECT,
            region="YD-SH1",
            address=f"{KERRY_CENTRE}南区L1-12",
            lat=31.2236,
            lng=121.4473,
            district=NJW,
            opening_hours=MALL_HOURS,
            guides=2,
            cashiers=1,
        ),
        StorePlan(
            code="YD-SH002",
            name="跃动体育 兴业太古汇店",
            type=StoreType.DIRECT,
            region="YD-SH1",
            address=f"{TAIKOO_HUI}B1-05",
            lat=31.2316,
            lng=121.4608,
            district=NJW,
            opening_hours=MALL_HOURS,
            cashiers=1,
        ),
        StorePlan(
            code="YD-SH003",
            name="跃动体育 梅龙镇广场店",
            type=StoreType.FRANCHISE,
            region="YD-SH2",
            address=f"{WESTGATE_MALL}3F-08",
            lat=31.2311,
            lng=121.4590,
            district=NJW,
            opening_hours=MALL_HOURS,
            cashiers=1,
        ),
        StorePlan(
            code="YD-SH004",
            name="跃动体育 久光百货专柜",
            type=StoreType.COUNTER,
            region="YD-SH2",
            address=f"{JIUGUANG}5F运动馆",
            lat=31.2232,
            lng=121.4458,
            district=NJW,
            opening_hours=DEPARTMENT_STORE_HOURS,
        ),
        StorePlan(
            code="YD-SH005",
            name="跃动体育 芮欧百货专柜",
            type=StoreType.COUNTER,
            region="YD-SH2",
            address=f"{REEL_MALL}4F",
            lat=31.2247,
            lng=121.4467,
            district=NJW,
            opening_hours=DEPARTMENT_STORE_HOURS,
        ),
        StorePlan(
            code="YD-SH006",
            name="跃动体育 跑者快闪店",
            type=StoreType.POPUP,
            region="YD-SH1",
            address=f"{KERRY_CENTRE}中心广场",
            lat=31.2240,
            lng=121.4480,
            district=NJW,
            opening_hours=POPUP_HOURS,
        ),
        StorePlan(
            code="YD-WH01",
            name="跃动体育 华东物流中心",
            type=StoreType.WAREHOUSE,
            region="YD-EAST",
            address="上海市嘉定区马陆镇宝安公路2999号",
            lat=31.3300,
            lng=121.2650,
            district=None,
            opening_hours=WAREHOUSE_HOURS,
            guides=0,
        ),
    ),
)

BEAUTY = BrandPlan(
    code="HUAJIAN",
    name="花见美妆 Huajian Beauty",
    handle="hj",
    regions=(
        RegionPlan("HJ-HQ", "花见美妆总部", "hq"),
        RegionPlan("HJ-EC", "华东事业部", "division", parent="HJ-HQ", managed=True),
        RegionPlan("HJ-SHD", "上海直营区", "area", parent="HJ-EC", managed=True),
        RegionPlan("HJ-SHF", "上海加盟及专柜区", "area", parent="HJ-EC"),
        RegionPlan("HJ-SC", "华南事业部", "division", parent="HJ-HQ"),
        RegionPlan("HJ-GZ", "广深区", "area", parent="HJ-SC"),
    ),
    stores=(
        StorePlan(
            code="HJ-SH001",
            name="花见美妆 恒隆广场旗舰店",
            type=StoreType.DIRECT,
            region="HJ-SHD",
            address=f"{PLAZA_66}L1-15",
            lat=31.2287,
            lng=121.4534,
            district=NJW,
            opening_hours=MALL_HOURS,
            guides=2,
            cashiers=1,
        ),
        StorePlan(
            code="HJ-SH002",
            name="花见美妆 中信泰富广场店",
            type=StoreType.DIRECT,
            region="HJ-SHD",
            address=f"{CITIC_SQUARE}1F-06",
            lat=31.2298,
            lng=121.4560,
            district=NJW,
            opening_hours=MALL_HOURS,
            cashiers=1,
        ),
        StorePlan(
            code="HJ-SH003",
            name="花见美妆 静安嘉里中心店",
            type=StoreType.FRANCHISE,
            region="HJ-SHF",
            address=f"{KERRY_CENTRE}北区B1-22",
            lat=31.2242,
            lng=121.4478,
            district=NJW,
            opening_hours=MALL_HOURS,
            cashiers=1,
        ),
        StorePlan(
            code="HJ-SH004",
            name="花见美妆 久光百货专柜",
            type=StoreType.COUNTER,
            region="HJ-SHF",
            address=f"{JIUGUANG}1F化妆品区",
            lat=31.2233,
            lng=121.4460,
            district=NJW,
            opening_hours=DEPARTMENT_STORE_HOURS,
        ),
        StorePlan(
            code="HJ-SH005",
            name="花见美妆 芮欧百货专柜",
            type=StoreType.COUNTER,
            region="HJ-SHF",
            address=f"{REEL_MALL}1F",
            lat=31.2248,
            lng=121.4465,
            district=NJW,
            opening_hours=DEPARTMENT_STORE_HOURS,
        ),
        StorePlan(
            code="HJ-SH006",
            name="花见美妆 太古汇快闪店",
            type=StoreType.POPUP,
            region="HJ-SHD",
            address=f"{TAIKOO_HUI}中庭",
            lat=31.2318,
            lng=121.4605,
            district=NJW,
            opening_hours=POPUP_HOURS,
        ),
        StorePlan(
            code="HJ-WH01",
            name="花见美妆 华东仓",
            type=StoreType.WAREHOUSE,
            region="HJ-EC",
            address="上海市青浦区华新镇华志路1688号",
            lat=31.2420,
            lng=121.2190,
            district=None,
            opening_hours=WAREHOUSE_HOURS,
            guides=0,
        ),
    ),
)

DEMO_PLAN = OrganisationPlan(
    districts=(WEST_NANJING_ROAD, MIDDLE_HUAIHAI_ROAD),
    brands=(SPORTSWEAR, BEAUTY),
    password=DEMO_PASSWORD,
)


# Members of both brands: sportswear lets the latest touch win (30 days' protection, bindings
# lapse after 180 days); beauty keeps the first guide for a year. Some people join both.
DEMO_MEMBERS = MembersPlan(
    brands=(
        BrandMembersPlan(
            SPORTSWEAR.code,
            members=1200,
            mode=BindingMode.OVERRIDE,
            protection_days=30,
            expiry_days=180,
        ),
        BrandMembersPlan(
            BEAUTY.code,
            members=1000,
            mode=BindingMode.FIRST_WINS,
            protection_days=14,
            expiry_days=365,
            shared_share=0.15,
        ),
    )
)
